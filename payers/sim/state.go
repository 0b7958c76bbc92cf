package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/claimgate/claimgate/edi/x835"
)

// stateFile is the simulator's memory in DIR: control number counters, the files it has
// processed, the payments it made (for reversals) and the answers waiting for their delay.
const stateFile = "state.json"

type state struct {
	// NextControl is the next ISA13/GS06 of the simulator's own interchanges.
	NextControl int64 `json:"next_control"`
	// NextTrace numbers the TRN02 check/EFT traces.
	NextTrace int64 `json:"next_trace"`
	// Processed maps the sha256 (hex) of every inbound file processed to what was done.
	Processed map[string]processed `json:"processed"`
	// Paid holds every claim payment sent and not reversed, by payer claim number.
	Paid map[string]*x835.ClaimPayment `json:"paid"`
	// Pending are answers written under DIR/pending, moved to the outbound folder when due.
	Pending []pending `json:"pending"`
}

type processed struct {
	Name    string    `json:"name"`
	At      time.Time `json:"at"`
	Outputs []string  `json:"outputs"`
}

type pending struct {
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}

func newState() *state {
	return &state{NextControl: 1, NextTrace: 1, Processed: map[string]processed{}, Paid: map[string]*x835.ClaimPayment{}}
}

func loadState(dir string) (*state, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("sim: read state: %w", err)
	}
	st := newState()
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("sim: state file %s is damaged: %w", filepath.Join(dir, stateFile), err)
	}
	if st.Processed == nil {
		st.Processed = map[string]processed{}
	}
	if st.Paid == nil {
		st.Paid = map[string]*x835.ClaimPayment{}
	}
	if st.NextControl < 1 || st.NextControl > 999999999 {
		st.NextControl = 1
	}
	if st.NextTrace < 1 {
		st.NextTrace = 1
	}
	return st, nil
}

// save writes the state atomically: a temporary file, synced, renamed over the old one.
func (st *state) save(dir string) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("sim: encode state: %w", err)
	}
	return writeAtomic(filepath.Join(dir, stateFile), data, 0o600)
}

// control returns the next interchange control number (1..999999999, wrapping).
func (st *state) control() int64 {
	n := st.NextControl
	st.NextControl++
	if st.NextControl > 999999999 {
		st.NextControl = 1
	}
	return n
}

func (st *state) trace() int64 {
	n := st.NextTrace
	st.NextTrace++
	return n
}

// writeAtomic writes data to name through a temporary file in the same directory, so readers
// (and a crash) see the old content or the new, never a part.
func writeAtomic(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("sim: write %s: %w", filepath.Base(name), err)
	}
	return nil
}

func cloneState(st *state) *state {
	c := *st
	c.Processed = make(map[string]processed, len(st.Processed))
	for k, v := range st.Processed {
		c.Processed[k] = v
	}
	c.Paid = make(map[string]*x835.ClaimPayment, len(st.Paid))
	for k, v := range st.Paid {
		c.Paid[k] = v
	}
	c.Pending = append([]pending(nil), st.Pending...)
	return &c
}
