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
		{"clip of a bad event type", "[record]\nclips = [\"Motion!\"]\n", "record.clips: \"Motion!\""},
		{"clips only without clips", "[record]\nclips_only = true\n", "record.clips_only"},
		{"long pre-roll", "[record]\npre_roll = \"31s\"\n", "pre_roll 31s"},
		{"negative post-roll", "[record]\npost_roll = \"-1s\"\n", "post_roll -1s"},
		{"negative clip quota", "[record]\nclip_quota_mb = -1\n", "clip_quota_mb"},
		{"command taking an OTA name", "[commands.ota_update]\nprogram = \"/bin/true\"\n", "ota_ are reserved"},
		{"bad release key", "[ota]\ntrusted_keys = [\"nope\"]\n", "ota.trusted_keys[0]"},
		{"tiny ota rate", "[ota]\nmax_rate = 100\n", "ota.max_rate = 100"},
		{"bad TOML", "board = \n", "config"},
		{"bad duration", "[lan]\nwrite_timeout = \"soon\"\n", "write_timeout"},
		{"too many viewers", "max_viewers = 33\n", "max_viewers = 33"},
		{"unknown quality", "[streams]\nultra = \"sim:high\"\n", "unknown quality \"ultra\""},
		{"any origin without auth", "[lan]\nallowed_origins = [\"*\"]\n", "needs auth.trusted_keys"},
		{"origin with a path", "[lan]\nallowed_origins = [\"https://a.test/page\"]\n", "lan.allowed_origins"},
		{"fewer LAN connections than viewers", "max_viewers = 8\n[lan]\nmax_conns = 4\n", "lan.max_conns = 4"},
		{"per-address cap over the total", "[lan]\nmax_conns = 8\nmax_conns_per_address = 9\n", "lan.max_conns_per_address = 9"},
		{"negative idle timeout", "[lan]\nidle_timeout = \"-1s\"\n", "lan.idle_timeout"},
		{"command without a program", "[commands.light]\nargs = [\"x\"]\n", "commands.light: program is empty"},
		{"command with a built-in's name", "[commands.get_device_st]\nprogram = \"/bin/true\"\n", "commands.get_device_st: the name is a built-in"},
		{"command named ptz_", "[commands.ptz_spin]\nprogram = \"/bin/true\"\n", "commands.ptz_spin"},
		{"command with a bad name", "[commands.\"a b\"]\nprogram = \"/bin/true\"\n", "a command name is"},
		{"command with bad permissions", "[commands.light]\nprogram = \"/bin/true\"\npermissions = \"admin\"\n", "permissions = \"admin\""},
		{"command with a long timeout", "[commands.light]\nprogram = \"/bin/true\"\ntimeout = \"1h\"\n", "timeout = 1h0m0s"},
		{"command with a huge output", "[commands.light]\nprogram = \"/bin/true\"\nmax_output = 9999999\n", "max_output = 9999999"},
		{"unknown PTZ driver", "[ptz]\ndriver = \"pelco\"\n", "ptz.driver = \"pelco\""},
		{"uln2003 without a chip", "[ptz]\ndriver = \"uln2003\"\npan_coils = [1,2,3,4]\ntilt_coils = [5,6,7,8]\n", "ptz.gpio_chip is empty"},
		{"uln2003 with 3 coils", "[ptz]\ndriver = \"uln2003\"\ngpio_chip = \"gpiochip0\"\npan_coils = [1,2,3]\ntilt_coils = [5,6,7,8]\n", "ptz.pan_coils = [1 2 3]"},
		{"uln2003 with a line twice", "[ptz]\ndriver = \"uln2003\"\ngpio_chip = \"gpiochip0\"\npan_coils = [1,2,3,4]\ntilt_coils = [4,6,7,8]\n", "line 4 is also pan_coils"},
		{"uln2003 end stop of no axis", "[ptz]\ndriver = \"uln2003\"\ngpio_chip = \"gpiochip0\"\npan_coils = [1,2,3,4]\ntilt_coils = [5,6,7,8]\n[ptz.end_stops]\nzoom = 9\n", "ptz.end_stops.zoom"},
		{"PTZ step rate too high", "[ptz]\nstep_rate = 5000\n", "ptz.step_rate = 5000"},
		{"negative PTZ hold", "[ptz]\nhold_timeout = \"-1s\"\n", "ptz.hold_timeout"},
		{"pelco-d address out of range", "[ptz]\ndriver = \"pelco-d\"\naddress = 256\n", "ptz.address = 256"},
		{"event input with a bad name", "[[events.inputs]]\nname = \"Door Bell\"\nline = 3\n", "events.inputs[0]: name \"Door Bell\""},
		{"two event inputs of one name", "[[events.inputs]]\nname = \"a\"\nline = 3\n[[events.inputs]]\nname = \"a\"\nline = 4\n", "name \"a\" is used twice"},
		{"event input with a long debounce", "[[events.inputs]]\nname = \"pir\"\nline = 3\ndebounce = \"2s\"\n", "debounce 2s"},
		{"bad motion setting", "[events]\nmotion = \"yes\"\n", "events.motion = \"yes\""},
		{"channel 0 in [[channels]]", "[[channels]]\nchannel = 0\nstreams.high = \"sim:high\"\n", "channel = 0: want 1 to 255"},
		{"channel twice", "[[channels]]\nchannel = 1\nstreams.high = \"sim:high\"\n[[channels]]\nchannel = 1\nstreams.high = \"sim:high\"\n", "channel 1 is configured twice"},
		{"channel name twice", "[[channels]]\nchannel = 1\nname = \"a\"\nstreams.high = \"sim:high\"\n[[channels]]\nchannel = 2\nname = \"a\"\nstreams.high = \"sim:high\"\n", "name \"a\" is taken"},
		{"channel without streams", "[[channels]]\nchannel = 1\n", "channels[0]: no streams"},
		{"channel with an unknown board", "[[channels]]\nchannel = 1\nboard = \"nope\"\n", "unknown board \"nope\""},
		{"channel with an unknown quality", "[[channels]]\nchannel = 1\nstreams.ultra = \"sim:high\"\n", "channels[0]: streams: unknown quality"},
		{"channel over the device's viewers", "max_viewers = 2\n[[channels]]\nchannel = 1\nmax_viewers = 3\nstreams.high = \"sim:high\"\n", "channels[0]: max_viewers = 3"},
		{"discovery without LAN mode", "[lan]\nlisten = \"off\"\n[discovery]\nlisten = \":3072\"\n", "needs LAN mode"},
		{"discovery limits upside down", "[discovery]\nanswers_per_address = 10\nanswers_per_second = 5\n", "answers_per_address = 10"},
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
