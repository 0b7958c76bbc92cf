// Package samples finds the shared real-world X12 sample files for tests.
//
// The samples live OUTSIDE the repository, in ../shared/x12-samples next to the directory
// holding go.mod, one folder per kind (835, 999, 277CA, 837P, ...). Tests read them from
// there and skip (or seed nothing) when the folder is absent; they must never be copied into
// the repository.
//
// Dir returns the folder (or "" when it is absent), for fuzz seeding and benchmarks that must
// not skip; Require returns it or skips the test; RepoRoot is the directory holding go.mod,
// found by walking up from the working directory, so all three work from any package.
package samples
