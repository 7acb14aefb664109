// A module's certification per device, from evidence - the compatibility matrix's HEAD column - rather than
// from what its manifest claims. The matrix tests whole zoo models, so the evidence is per device: what every
// zoo model that targets the device shows (each of the library's modules is on some zoo model's path).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/governance/proto/manifest.pb.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

struct DeviceCertification {
  std::string device;
  // CERTIFICATION_UNSPECIFIED: not certified (no HEAD cell ran on the device, or one fails).
  Certification level = CERTIFICATION_UNSPECIFIED;
  Certification claimed = CERTIFICATION_UNSPECIFIED;  // the manifest's value
  std::string evidence;                               // "11/11 zoo models pass, decode speed on 10"
};

// For each device of the manifest, from the HEAD cells of `matrix` on it:
//   none ran, or one failed (fail, build-fail, known-fail, unexpected-pass, perf-regression)  -> not certified;
//   all pass, the device is real (not emulated) and some report a decode speed (judged against the model's
//     min_tokens_per_s where it sets one: a slower one would be perf-regression; encoders have none)
//                                                                                               -> PERFORMANCE_VERIFIED;
//   all pass                                                                                    -> FUNCTIONAL.
// HARDWARE_VALIDATED and PRODUCTION need runs on the real devices, which the matrix does not have.
std::vector<DeviceCertification> CertifyFromMatrix(const ModuleManifest& manifest, const Matrix& matrix,
                                                   const std::function<bool(const std::string&)>& emulated);

// "performance_verified", "functional", "not certified".
std::string CertificationLabel(Certification level);

}  // namespace ttt::gov
