//go:build linux

package alsatest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
	"github.com/p2pcam/p2pcam/internal/ioctltest"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// Kernel is a fake kernel serving fake sound cards. It implements
// alsa.Sys; Scanner returns an alsa.Scanner that uses it.
type Kernel struct {
	dev, proc string

	mu    sync.Mutex
	cards []*card
	nodes map[string]*node
	fds   ioctltest.FDTable[*node]

	polling atomic.Int32 // Poll calls in progress
}

type card struct {
	info alsa.Card
	devs []*Device
	gone bool
}

// node is a device file: a card's control device (dev nil) or a PCM
// stream.
type node struct {
	card *card
	dev  *Device
}

var _ alsa.Sys = (*Kernel)(nil)

// NewKernel returns a fake kernel with no cards. It keeps its device
// files under dir/dev/snd and its procfs files under dir/proc/asound
// (dir is typically t.TempDir()), and panics if it cannot create them.
func NewKernel(dir string) *Kernel {
	k := &Kernel{
		dev:   filepath.Join(dir, "dev", "snd"),
		proc:  filepath.Join(dir, "proc", "asound"),
		nodes: make(map[string]*node),
	}
	for _, d := range []string{k.dev, k.proc} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			panic(fmt.Sprintf("alsatest: %v", err))
		}
	}
	k.writeProc()
	return k
}

// Dev returns the directory of the fake device files.
func (k *Kernel) Dev() string { return k.dev }

// Proc returns the fake /proc/asound directory.
func (k *Kernel) Proc() string { return k.proc }

// Scanner returns an alsa.Scanner that finds and opens the fake cards.
func (k *Kernel) Scanner() alsa.Scanner { return alsa.Scanner{Sys: k, Dev: k.dev, Proc: k.proc} }

// Path returns the device file of d, which must have been added.
func (k *Kernel) Path(d *Device) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return filepath.Join(k.dev, pcmFile(d.card, d.Number, d.Dir))
}

func pcmFile(card, dev int, dir alsa.Direction) string {
	c := 'c'
	if dir == alsa.Playback {
		c = 'p'
	}
	return fmt.Sprintf("pcmC%dD%d%c", card, dev, c)
}

// AddCard plugs in a card with the given devices. Its Index must be
// free; each device's Number and Dir must differ from the others'. It
// panics on a mistake, and if it cannot write the device files.
func (k *Kernel) AddCard(c alsa.Card, devs ...*Device) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, o := range k.cards {
		if o.info.Index == c.Index && !o.gone {
			panic(fmt.Sprintf("alsatest: card %d added twice", c.Index))
		}
	}
	cd := &card{info: c, devs: devs}
	k.cards = append(k.cards, cd)
	slices.SortFunc(k.cards, func(a, b *card) int { return a.info.Index - b.info.Index })
	k.addNode(fmt.Sprintf("controlC%d", c.Index), &node{card: cd})
	for _, d := range devs {
		d.mu.Lock()
		d.card = c.Index
		d.Caps = d.Caps.withDefaults()
		speed := d.Speed
		if speed <= 0 {
			speed = 1
		}
		d.s = stream{dir: d.Dir, caps: d.Caps, speed: speed, source: d.Source, loop: d.Loop, canResume: d.CanResume, stalled: d.s.stalled}
		name := pcmFile(c.Index, d.Number, d.Dir)
		d.mu.Unlock()
		if _, dup := k.nodes[filepath.Join(k.dev, name)]; dup {
			panic(fmt.Sprintf("alsatest: %s added twice", name))
		}
		k.addNode(name, &node{card: cd, dev: d})
	}
	k.writeProc()
}

// Unplug removes card index: its devices vanish (see Device.Vanish),
// its files and procfs entries go away.
func (k *Kernel) Unplug(index int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range k.cards {
		if c.info.Index != index || c.gone {
			continue
		}
		c.gone = true
		for _, d := range c.devs {
			d.Vanish()
		}
		for path, n := range k.nodes {
			if n.card == c {
				delete(k.nodes, path)
				_ = os.Remove(path)
			}
		}
	}
	k.writeProc()
}

// addNode registers a device file; k.mu is held.
func (k *Kernel) addNode(name string, n *node) {
	path := filepath.Join(k.dev, name)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		panic(fmt.Sprintf("alsatest: %v", err))
	}
	k.nodes[path] = n
}

// writeProc writes /proc/asound/cards and /proc/asound/pcm as the
// kernel prints them; k.mu is held.
func (k *Kernel) writeProc() {
	var cards, pcms strings.Builder
	for _, c := range k.cards {
		if c.gone {
			continue
		}
		fmt.Fprintf(&cards, "%2d [%-15s]: %s - %s\n", c.info.Index, c.info.ID, c.info.Driver, c.info.Name)
		fmt.Fprintf(&cards, "                      %s\n", c.info.LongName)
		nums := map[int][]*Device{}
		var order []int
		for _, d := range c.devs {
			if nums[d.Number] == nil {
				order = append(order, d.Number)
			}
			nums[d.Number] = append(nums[d.Number], d)
		}
		slices.Sort(order)
		for _, n := range order {
			ds := nums[n]
			fmt.Fprintf(&pcms, "%02d-%02d: %s : %s", c.info.Index, n, ds[0].ID, ds[0].Name)
			for _, dir := range []alsa.Direction{alsa.Playback, alsa.Capture} {
				for _, d := range ds {
					if d.Dir == dir {
						fmt.Fprintf(&pcms, " : %v 1", dir)
					}
				}
			}
			pcms.WriteString("\n")
		}
	}
	if cards.Len() == 0 {
		cards.WriteString("--- no soundcards ---\n")
	}
	for name, text := range map[string]string{"cards": cards.String(), "pcm": pcms.String()} {
		if err := os.WriteFile(filepath.Join(k.proc, name), []byte(text), 0o644); err != nil {
			panic(fmt.Sprintf("alsatest: %v", err))
		}
	}
}

// Open implements alsa.Sys: ENOENT for an unknown path, ENODEV for a
// vanished device, EBUSY for a PCM stream already open. The fake
// always behaves as if O_NONBLOCK were given.
func (k *Kernel) Open(path string, flags int) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := k.nodes[path]
	if n == nil {
		return -1, unix.ENOENT
	}
	if d := n.dev; d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.record("open")
		if err := d.takeFail("open"); err != nil {
			return -1, err
		}
		if d.gone {
			return -1, unix.ENODEV
		}
		if d.open {
			return -1, unix.EBUSY
		}
		d.open = true
		d.s.state = stateOpen
	}
	return k.fds.Add(n), nil
}

func (k *Kernel) node(fd int) *node {
	n, _ := k.fds.Get(fd)
	return n
}

// Close implements alsa.Sys. Closing a PCM stream stops it and frees
// its setup, as the kernel's release does.
func (k *Kernel) Close(fd int) error {
	n, _ := k.fds.Remove(fd)
	if n == nil {
		return unix.EBADF
	}
	if d := n.dev; d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.record("close")
		d.open = false
		if !d.gone {
			d.s.state = stateOpen
		}
	}
	return nil
}

// Ioctl implements alsa.Sys. It checks that the request number encodes
// the direction and the size the kernel's headers give it on this
// architecture, and answers ENOTTY otherwise.
func (k *Kernel) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	n := k.node(fd)
	if n == nil {
		return unix.EBADF
	}
	r := ioc.Decode(req)
	sp, ok := specFor(n.dev != nil, r.Type, r.Nr)
	if !ok || sp.size != r.Size || sp.read != r.Read || sp.write != r.Write || (!sp.read && !sp.write && !r.None) {
		if n.dev != nil {
			n.dev.mu.Lock()
			n.dev.record(fmt.Sprintf("bad request 0x%08x", req))
			n.dev.mu.Unlock()
		}
		return unix.ENOTTY
	}
	var m mem
	if sp.size > 0 {
		if arg == nil {
			return unix.EFAULT
		}
		m = unsafe.Slice((*byte)(arg), sp.size)
	}
	if n.dev == nil {
		return k.control(n.card, sp.name, m)
	}
	return n.dev.ioctl(sp.name, m)
}

// WaitPolling waits up to timeout for a caller to be blocked in Poll (a
// Read or Write waiting on the device) and reports whether one is, so
// that a test can act on a blocked call rather than sleep and hope.
func (k *Kernel) WaitPolling(timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); k.polling.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// Poll implements alsa.Sys. Fake descriptors are answered by their
// device; the others (the PCM's eventfd) are polled for real, for as
// long as the fake ones have nothing to report.
func (k *Kernel) Poll(fds []unix.PollFd, timeout int) (int, error) {
	k.polling.Add(1)
	defer k.polling.Add(-1)
	return ioctltest.Poll(fds, timeout, func(fd int, events int16) (int16, time.Duration) {
		n := k.node(fd)
		if n == nil {
			return unix.POLLNVAL, -1
		}
		if n.dev == nil {
			return 0, -1 // control devices have no events here
		}
		return n.dev.revents(events)
	})
}
