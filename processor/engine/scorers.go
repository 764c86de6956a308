package engine

import (
	"sync"

	"github.com/chiso-vn/chiso/processor/rubric"
)

// Scorers caches one compiled scorer per rubric (by id and file hash, so an
// edited rubric file is compiled again); safe for concurrent use. The zero
// value is ready.
type Scorers struct {
	mu sync.Mutex
	m  map[string]*Scorer
}

// Get returns the scorer for r.
func (s *Scorers) Get(r *rubric.Rubric) (*Scorer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*Scorer{}
	}
	key := r.ID + "\x00" + r.Hash
	if sc, ok := s.m[key]; ok {
		return sc, nil
	}
	sc, err := New(r)
	if err != nil {
		return nil, err
	}
	s.m[key] = sc
	return sc, nil
}
