package main

import (
	"os"
	"path/filepath"
)

// configPath returns where p2pcam keeps its file name by default: in
// the per-user config directory ($XDG_CONFIG_HOME/p2pcam, or
// ~/.config/p2pcam on Linux; ~/Library/Application Support/p2pcam on
// macOS), not in the current directory, where a key or the cloud's
// passwords are easily committed by accident. Without a home directory
// it is name in the current directory.
func configPath(name string) string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return name
	}
	return filepath.Join(dir, "p2pcam", name)
}

// defaultCloudDir is the dev cloud's state directory unless --dir says
// otherwise.
func defaultCloudDir() string { return configPath("cloud") }

// defaultIssuerKey is the token issuer key of keygen and token unless
// --out or --key says otherwise.
func defaultIssuerKey() string { return configPath("issuer.key") }
