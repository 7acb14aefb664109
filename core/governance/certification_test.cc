#include "core/governance/certification.h"

#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

MatrixCell Cell(const std::string& model, const std::string& version, const std::string& device,
                const std::string& status, double tokens_per_s) {
  MatrixCell cell;
  cell.set_model(model);
  cell.set_version(version);
  cell.set_device(device);
  cell.set_status(status);
  cell.set_tokens_per_s(tokens_per_s);
  return cell;
}

ModuleManifest ClaimsFunctionalOn(std::initializer_list<const char*> devices) {
  ModuleManifest manifest;
  for (const char* d : devices) {
    DeviceSupport* s = manifest.add_devices();
    s->set_device(d);
    s->set_certification(FUNCTIONAL);
  }
  return manifest;
}

bool TenstorrentIsEmulated(const std::string& device) { return device != "cpu"; }

TEST(CertifyFromMatrixTest, LevelsFollowTheHeadColumnNotTheManifest) {
  Matrix matrix;
  // cpu: both models pass with a measured speed; an old release's failure does not count.
  *matrix.add_cells() = Cell("llama", "HEAD", "cpu", "pass", 30000);
  *matrix.add_cells() = Cell("gpt2", "HEAD", "cpu", "pass", 25000);
  *matrix.add_cells() = Cell("gpt2", "2.0.0", "cpu", "build-fail", 0);
  // n150: emulated, passes: functional whatever its speed. n300: one model fails. p150: only skips.
  *matrix.add_cells() = Cell("llama", "HEAD", "n150", "pass", 40);
  *matrix.add_cells() = Cell("gpt2", "HEAD", "n150", "skip", 0);
  *matrix.add_cells() = Cell("llama", "HEAD", "n300", "pass", 40);
  *matrix.add_cells() = Cell("gpt2", "HEAD", "n300", "known-fail", 0);
  *matrix.add_cells() = Cell("llama", "HEAD", "p150", "skip", 0);
  const std::vector<DeviceCertification> got =
      CertifyFromMatrix(ClaimsFunctionalOn({"cpu", "n150", "n300", "p150"}), matrix, TenstorrentIsEmulated);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].level, PERFORMANCE_VERIFIED) << got[0].evidence;
  EXPECT_EQ(got[0].evidence, "2/2 zoo models pass, decode speed on 2");
  EXPECT_EQ(got[1].level, FUNCTIONAL) << got[1].evidence;
  EXPECT_EQ(got[1].evidence, "1/1 zoo models pass, emulated numerics");
  EXPECT_EQ(got[2].level, CERTIFICATION_UNSPECIFIED);
  EXPECT_EQ(got[2].evidence, "1/2 zoo models pass (gpt2 known-fail)");
  EXPECT_EQ(got[3].level, CERTIFICATION_UNSPECIFIED);
  EXPECT_EQ(got[3].evidence, "no zoo model ran on it (matrix HEAD column)");
  for (const DeviceCertification& c : got) EXPECT_EQ(c.claimed, FUNCTIONAL);
}

TEST(CertifyFromMatrixTest, ARealDeviceWithoutASpeedIsFunctional) {
  Matrix matrix;
  *matrix.add_cells() = Cell("bert", "HEAD", "cpu", "pass", 0);  // an encoder: no decode speed
  const std::vector<DeviceCertification> got = CertifyFromMatrix(ClaimsFunctionalOn({"cpu"}), matrix,
                                                                 TenstorrentIsEmulated);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].level, FUNCTIONAL);
  EXPECT_EQ(CertificationLabel(got[0].level), "functional");
  EXPECT_EQ(CertificationLabel(CERTIFICATION_UNSPECIFIED), "not certified");
}

}  // namespace
}  // namespace ttt::gov
