package slot

import (
	"runtime"
	"runtime/debug"
)

// HostArch is this build's architecture as bundles name it: GOARCH, with
// 32-bit ARM spelled armv6 or armv7 (its GOARM).
func HostArch() string {
	if runtime.GOARCH != "arm" {
		return runtime.GOARCH
	}
	goarm := "7"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOARM" && s.Value != "" {
				goarm = s.Value[:1]
			}
		}
	}
	return "armv" + goarm
}
