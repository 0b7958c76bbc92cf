//go:build !unix

package x837

import "time"

func processCPUTime() (time.Duration, bool) { return 0, false }
