package x837

import (
	"testing"

	"github.com/claimgate/claimgate/internal/samples"
)

// samplesDir returns ../shared/x12-samples relative to the repository root (the directory
// holding go.mod), skipping the test when it is absent.
func samplesDir(tb testing.TB) string { tb.Helper(); return samples.Require(tb) }
