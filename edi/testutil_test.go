package edi

import (
	"testing"

	"github.com/claimgate/claimgate/internal/samples"
)

// samplesDir returns ../shared/x12-samples relative to the repository root, or skips.
func samplesDir(t testing.TB) string { t.Helper(); return samples.Require(t) }
