package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// tx implements gateway.Tx over one Querier (a transaction).
type tx struct {
	q   Querier
	d   *Dialect
	now func() time.Time
}

var _ gateway.Tx = (*tx)(nil)

// ts normalises a time for storage: UTC, microseconds (what both engines keep).
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (t *tx) clock() time.Time { return ts(t.now()) }

// nullTime is nil for a nil pointer, else the normalised time.
func nullTime(p *time.Time) any {
	if p == nil {
		return nil
	}
	return ts(*p)
}

// nullInt is nil for a nil pointer, else the value.
func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// nullString is nil for "", else s.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullJSON is nil for empty JSON, else the bytes as a plain []byte.
func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// utcPtr converts a scanned nullable time to UTC.
func utcPtr(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	u := p.UTC()
	return &u
}

func checkJSON(what string, b []byte) error {
	if len(b) > 0 && !json.Valid(b) {
		return fmt.Errorf("%w: %s is not valid JSON", gateway.ErrInvalid, what)
	}
	return nil
}

// mapErr turns driver errors into gateway sentinels where one applies.
func mapErr(d *Dialect, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNoRows) || (d.IsNoRows != nil && d.IsNoRows(err)):
		return fmt.Errorf("%w: %w", gateway.ErrNotFound, err)
	case d.IsUniqueViolation != nil && d.IsUniqueViolation(err):
		return fmt.Errorf("%w: %w", gateway.ErrConflict, err)
	}
	return err
}

func (t *tx) isNoRows(err error) bool {
	return errors.Is(err, ErrNoRows) || (t.d.IsNoRows != nil && t.d.IsNoRows(err))
}

// where builds a WHERE clause with numbered placeholders.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; each "?" in cond becomes the next $n, bound to the next arg.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	ai := 0
	for i := 0; i < len(cond); i++ {
		if cond[i] == '?' {
			w.args = append(w.args, args[ai])
			ai++
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			continue
		}
		b.WriteByte(cond[i])
	}
	w.conds = append(w.conds, b.String())
}

// arg binds one more argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func limitOf(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 1000:
		return 1000
	}
	return n
}

// scanner is a Row or Rows.
type scanner interface {
	Scan(dest ...any) error
}

// collectRows reads every row of a query with scan into a slice (empty, not nil, when there
// are none); err is the query's error, so a call reads collectRows(t.q.Query(...)) in two lines.
func collectRows[T any](rows Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanInt64 scans a row of one integer column.
func scanInt64(r scanner) (int64, error) {
	var v int64
	err := r.Scan(&v)
	return v, err
}
