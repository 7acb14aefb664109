#include "core/governance/certification.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/governance/matrix.h"

namespace ttt::gov {

std::string CertificationLabel(Certification level) {
  if (level == CERTIFICATION_UNSPECIFIED) return "not certified";
  return absl::AsciiStrToLower(Certification_Name(level));
}

std::vector<DeviceCertification> CertifyFromMatrix(const ModuleManifest& manifest, const Matrix& matrix,
                                                   const std::function<bool(const std::string&)>& emulated) {
  std::vector<DeviceCertification> out;
  for (const DeviceSupport& support : manifest.devices()) {
    DeviceCertification c;
    c.device = support.device();
    c.claimed = support.certification();
    int ran = 0, passed = 0, speed_measured = 0;
    std::string first_failure;
    for (const MatrixCell& cell : matrix.cells()) {
      if (cell.version() != kHead || cell.device() != support.device() || cell.status() == "skip") continue;
      ++ran;
      if (cell.status() == "pass") {
        ++passed;
        if (cell.tokens_per_s() > 0) ++speed_measured;
      } else if (first_failure.empty()) {
        first_failure = absl::StrCat(cell.model(), " ", cell.status());
      }
    }
    if (ran == 0) {
      c.evidence = "no zoo model ran on it (matrix HEAD column)";
    } else {
      c.evidence = absl::StrCat(passed, "/", ran, " zoo models pass");
      if (!first_failure.empty()) {
        absl::StrAppend(&c.evidence, " (", first_failure, ")");
      } else if (!emulated(support.device()) && speed_measured > 0) {
        c.level = PERFORMANCE_VERIFIED;
        absl::StrAppend(&c.evidence, ", decode speed on ", speed_measured);
      } else {
        c.level = FUNCTIONAL;
        if (emulated(support.device())) absl::StrAppend(&c.evidence, ", emulated numerics");
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace ttt::gov
