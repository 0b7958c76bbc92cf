package sqlstore

import (
	"context"
	"strconv"
	"strings"
)

// CopyFromer is an optional Querier capability: bulk insertion of rows into a table by the
// engine's fastest path (COPY on Postgres, through pgx CopyFrom). A driver's transaction that
// implements it gets its bulk writes done that way; one that does not (SQLite) gets multi-row
// INSERT statements. Values are what the driver would accept as query arguments.
type CopyFromer interface {
	CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error)
}

// maxBulkParams bounds the parameters of one multi-row INSERT. The engines allow tens of
// thousands, but binding is not linear in their number (modernc.org/sqlite looks each "$n" up
// by name), so a few hundred per statement is fastest.
const maxBulkParams = 256

// bulkInsert inserts rows into table: by CopyFrom when the transaction supports it, else by
// multi-row INSERT statements of at most maxBulkParams parameters.
func (t *tx) bulkInsert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if c, ok := t.q.(CopyFromer); ok {
		_, err := c.CopyFrom(ctx, table, columns, rows)
		return err
	}
	per := max(1, maxBulkParams/len(columns))
	head := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) VALUES `
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.Grow(len(head) + n*len(columns)*7)
		b.WriteString(head)
		args := make([]any, 0, n*len(columns))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(len(args)))
			}
			b.WriteByte(')')
		}
		if _, err := t.q.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// ArrayBinder is an optional Querier capability: the engine binds a Go []string as an array
// parameter and can unnest it ($1::text[], Postgres). Bulk updates then bind one parameter
// per column for any number of rows instead of one per value.
type ArrayBinder interface {
	BindsArrays() bool
}

func (t *tx) bindsArrays() bool {
	a, ok := t.q.(ArrayBinder)
	return ok && a.BindsArrays()
}
