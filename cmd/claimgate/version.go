package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time by the Makefile:
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234" ./cmd/claimgate
//
// These are the only package-level variables of the binary; nothing assigns them at run time.
var (
	version = ""
	commit  = ""
)

// buildInfo describes the running binary.
type buildInfo struct {
	Version   string
	Commit    string
	GoVersion string
}

// currentBuildInfo returns the ldflags values, falling back to what the Go toolchain recorded
// (module version for `go install ...@vX`, VCS revision for builds inside a checkout).
func currentBuildInfo() buildInfo {
	return resolveBuildInfo(version, commit, debug.ReadBuildInfo)
}

func resolveBuildInfo(v, c string, read func() (*debug.BuildInfo, bool)) buildInfo {
	bi := buildInfo{Version: v, Commit: c, GoVersion: runtime.Version()}
	if info, ok := read(); ok {
		if bi.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			bi.Version = info.Main.Version
		}
		if info.GoVersion != "" {
			bi.GoVersion = info.GoVersion
		}
		if bi.Commit == "" {
			modified := false
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					bi.Commit = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
			if bi.Commit != "" && modified {
				bi.Commit += "-dirty"
			}
		}
	}
	if bi.Version == "" {
		bi.Version = "devel"
	}
	if bi.Commit == "" {
		bi.Commit = "unknown"
	}
	return bi
}

func runVersion(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "version", "", "Print the version, the commit and the Go version of this binary.")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.fail(e, "unexpected argument %q", pos[0])
	}
	bi := currentBuildInfo()
	fmt.Fprintf(e.stdout, "claimgate %s\ncommit %s\n%s\n", bi.Version, bi.Commit, bi.GoVersion)
	return exitOK
}
