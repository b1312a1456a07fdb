package agent

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The documented config file shows every default: loading it must give
// exactly what the zero Config defaults to.
func TestDocumentedConfigIsTheDefault(t *testing.T) {
	doc, err := LoadConfig("../rootfs/etc/p2pcam/p2pcamd.toml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := doc.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Config{}.withDefaults()
	got.Logger, want.Logger = nil, nil
	got.Streams, want.Streams = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documented config\n%+v\ndiffers from the defaults\n%+v", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, toml, wantErr string
	}{
		{"unknown key", "[lan]\nlisen = \"x\"\n", "unknown keys lan.lisen"},
		{"bad TOML", "board = \n", "config"},
		{"bad duration", "[lan]\nwrite_timeout = \"soon\"\n", "write_timeout"},
		{"too many viewers", "max_viewers = 33\n", "max_viewers = 33"},
		{"unknown quality", "[streams]\nultra = \"sim:high\"\n", "unknown quality \"ultra\""},
		{"any origin without auth", "[lan]\nallowed_origins = [\"*\"]\n", "needs auth.trusted_keys"},
		{"origin with a path", "[lan]\nallowed_origins = [\"https://a.test/page\"]\n", "lan.allowed_origins"},
		{"fewer LAN connections than viewers", "max_viewers = 8\n[lan]\nmax_conns = 4\n", "lan.max_conns = 4"},
		{"per-address cap over the total", "[lan]\nmax_conns = 8\nmax_conns_per_address = 9\n", "lan.max_conns_per_address = 9"},
		{"negative idle timeout", "[lan]\nidle_timeout = \"-1s\"\n", "lan.idle_timeout"},
		{"bad log level", "[log]\nlevel = \"loud\"\n", "log.level"},
		{"bad log format", "[log]\nformat = \"xml\"\n", "log.format"},
		{"tiny SCTP RTO cap", "[auth]\ntrusted_keys = [\"MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\"]\n[p2p]\nbroker = \"mqtt://127.0.0.1:1883\"\nsctp_rto_max = \"10ms\"\n", "p2p.sctp_rto_max = 10ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p2pcamd.toml")
			if err := os.WriteFile(path, []byte(tt.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if err == nil {
				_, err = cfg.withDefaults()
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
