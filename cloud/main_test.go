package cloud

import (
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"log/slog"
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// defaultHashCost is hashCost as the package sets it, before TestMain
// lowers it to keep tests fast.
var defaultHashCost = hashCost

func TestMain(m *testing.M) {
	hashCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// quietLogger discards logs: servers log from their own goroutines, which
// may outlive a test's t.Log.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logBuffer collects log output safely from any goroutine.
type logBuffer struct{ syncbuf.Buffer }

// logger returns a debug-level text logger writing to b.
func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestDefaultHashCost(t *testing.T) {
	if defaultHashCost != bcrypt.DefaultCost {
		t.Errorf("hashCost = %d, want bcrypt.DefaultCost %d", defaultHashCost, bcrypt.DefaultCost)
	}
}
