//go:build unix

package x837

import (
	"syscall"
	"time"
)

// processCPUTime returns the user+system CPU time the test process has used, so benchmarks can
// report throughput per CPU-second, which does not depend on how busy a shared machine is.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
