package payers

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Registry is the configured payers, looked up by id. Ids are matched case-insensitively
// (encounters and URLs carry them as people type them); each payer keeps the spelling of its
// configuration. A Registry is immutable and safe for concurrent use.
type Registry struct {
	list []Payer
	byID map[string]int // upper-case id -> index in list
}

// NewRegistry validates every payer (Payer.Validate) and refuses duplicate ids, returning every
// problem at once. The payers keep their configuration order.
func NewRegistry(ps []Payer) (*Registry, error) {
	r := &Registry{byID: make(map[string]int, len(ps))}
	var errs []error
	for i, p := range ps {
		path := fmt.Sprintf("payers[%d]", i)
		errs = append(errs, p.Validate(path)...)
		key := strings.ToUpper(p.ID)
		if j, dup := r.byID[key]; dup && p.ID != "" {
			errs = append(errs, fmt.Errorf("%s.id: %q is also the id of payers[%d]", path, p.ID, j))
			continue
		}
		r.byID[key] = len(r.list)
		r.list = append(r.list, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// Payers returns a copy of the payers in configuration order.
func (r *Registry) Payers() []Payer {
	if r == nil {
		return nil
	}
	return append([]Payer(nil), r.list...)
}

// Get returns the payer with id (case-insensitive).
func (r *Registry) Get(id string) (Payer, bool) {
	if r == nil {
		return Payer{}, false
	}
	i, ok := r.byID[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Payer{}, false
	}
	return r.list[i], true
}

// IDs returns the payer ids, sorted.
func (r *Registry) IDs() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.list))
	for i, p := range r.list {
		out[i] = p.ID
	}
	sort.Strings(out)
	return out
}

// Len is the number of payers.
func (r *Registry) Len() int {
	if r == nil {
		return 0
	}
	return len(r.list)
}
