package view

import (
	"sync"
	"sync/atomic"

	"franja/domain"
)

// leaveExtra is what few leaves have: a delegate, a commission's zone, or a
// kind outside domain.LeaveKinds.
type leaveExtra struct {
	delegate, zone string
	kind           domain.LeaveKind
}

// extras interns the leaveExtras of every view in the process, so that a
// Leave holds a number instead of a pointer: a replica holds millions of
// leaves, and an array without pointers is one the garbage collector does
// not scan (with a pointer per leave it spent more time marking the leaves
// than the load spent reading them). Entries are never removed; there is
// one per distinct (delegate, zone, kind) ever loaded, a few bytes per
// person who delegates. Entry 0 is "nothing".
//
// Writers append under mu. Readers take no lock: an entry is written before
// any Leave holding its number is published in a Snapshot (an atomic
// pointer), and entries never move (fixed-size blocks, the directory
// replaced atomically when it grows).
var extras struct {
	mu    sync.Mutex
	index map[leaveExtra]uint32
	n     uint32
	dir   atomic.Pointer[[]*[extrasBlock]leaveExtra]
}

const extrasBlock = 4096

// internExtra returns e's number (0 for the zero leaveExtra).
func internExtra(e leaveExtra) uint32 {
	if e == (leaveExtra{}) {
		return 0
	}
	extras.mu.Lock()
	defer extras.mu.Unlock()
	if i, ok := extras.index[e]; ok {
		return i
	}
	if extras.index == nil {
		extras.index = map[leaveExtra]uint32{}
		extras.n = 1
	}
	i := extras.n
	dir := extras.dir.Load()
	if dir == nil || int(i/extrasBlock) >= len(*dir) {
		grown := []*[extrasBlock]leaveExtra{}
		if dir != nil {
			grown = append(grown, *dir...)
		}
		grown = append(grown, new([extrasBlock]leaveExtra))
		extras.dir.Store(&grown)
		dir = &grown
	}
	(*dir)[i/extrasBlock][i%extrasBlock] = e
	extras.index[e] = i
	extras.n++
	return i
}

// extraOf returns the leaveExtra numbered i.
func extraOf(i uint32) *leaveExtra {
	if i == 0 {
		return &leaveExtra{}
	}
	return &(*extras.dir.Load())[i/extrasBlock][i%extrasBlock]
}
