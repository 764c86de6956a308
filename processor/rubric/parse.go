package rubric

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads one rubric file. Unknown fields are errors, so a typo in a
// hand-edited rubric is caught instead of silently ignored. origin names the
// file in error messages.
func Parse(r io.Reader, origin string) (*Rubric, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var rb Rubric
	if err := dec.Decode(&rb); err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	sum := sha256.Sum256(data)
	rb.Origin = origin
	rb.Hash = hex.EncodeToString(sum[:])
	if rb.ID == "" {
		return nil, fmt.Errorf("%s: bộ chỉ số không có id", origin)
	}
	return &rb, nil
}

// Set is a collection of rubrics by id.
type Set struct {
	byID map[string]*Rubric
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byID: map[string]*Rubric{}} }

// Add puts r in the set, replacing any rubric with the same id.
func (s *Set) Add(r *Rubric) { s.byID[r.ID] = r }

// Get returns the rubric with the given id.
func (s *Set) Get(id string) (*Rubric, bool) { r, ok := s.byID[id]; return r, ok }

// All returns the rubrics sorted by id.
func (s *Set) All() []*Rubric {
	out := make([]*Rubric, 0, len(s.byID))
	for _, r := range s.byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// LoadFS adds every *.yaml / *.yml file in the root of fsys to the set.
// All files are tried; the errors of every bad file are returned together.
func (s *Set) LoadFS(fsys fs.FS, prefix string) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		f, err := fsys.Open(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r, err := Parse(f, path.Join(prefix, name))
		f.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Add(r)
	}
	return errors.Join(errs...)
}
