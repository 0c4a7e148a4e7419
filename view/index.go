package view

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// idIndex finds a person's index in a load's rows by external id, for the
// ten million leave rows of a full load (a map[string]int32 cost a third of
// the load's CPU: each lookup missed the cache in the map's table and again
// in the key's bytes). Ids of up to 16 bytes are kept in the table itself,
// so a lookup reads one slot, usually one cache line; longer ones go to a
// map. Built once, then only read (by several goroutines at once).
type idIndex struct {
	slots []idSlot // a power of two, at most 3/4 full; linear probing
	long  map[string]int32
}

// idSlot holds a short id (n bytes of key, zero-padded; n = 0: empty) and
// its index.
type idSlot struct {
	key [16]byte
	n   uint8
	idx int32
}

var indexSeed = maphash.MakeSeed()

func newIDIndex(rows []personRow) *idIndex {
	size := 1 << bits.Len(uint(len(rows)*4/3+1))
	x := &idIndex{slots: make([]idSlot, size), long: map[string]int32{}}
	for i := range rows {
		x.put(rows[i].ExternalID, int32(i))
	}
	return x
}

func (x *idIndex) put(id string, i int32) {
	if len(id) == 0 || len(id) > 16 {
		x.long[id] = i
		return
	}
	var k [16]byte
	copy(k[:], id)
	mask := uint64(len(x.slots) - 1)
	for h := maphash.String(indexSeed, id) & mask; ; h = (h + 1) & mask {
		s := &x.slots[h]
		if s.n == 0 || s.n == uint8(len(id)) && s.key == k {
			*s = idSlot{key: k, n: uint8(len(id)), idx: i}
			return
		}
	}
}

// get returns the index of id (-1: none).
func (x *idIndex) get(id string) int32 {
	if len(id) == 0 || len(id) > 16 {
		if i, ok := x.long[id]; ok {
			return i
		}
		return -1
	}
	var k [16]byte
	copy(k[:], id)
	mask := uint64(len(x.slots) - 1)
	for h := maphash.String(indexSeed, id) & mask; ; h = (h + 1) & mask {
		s := &x.slots[h]
		if s.n == uint8(len(id)) && s.key == k {
			return s.idx
		}
		if s.n == 0 {
			return -1
		}
	}
}

// getBytes is get for an id in raw bytes (a row's, not kept).
func (x *idIndex) getBytes(b []byte) int32 {
	return x.get(unsafe.String(unsafe.SliceData(b), len(b)))
}
