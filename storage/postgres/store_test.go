package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/storetest"
)

func open(t *testing.T) gateway.Store {
	s, err := postgres.Open(context.Background(), storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, open)
}

func TestMigrateConcurrentReplicas(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	const replicas = 4
	errs := make(chan error, replicas)
	for i := 0; i < replicas; i++ {
		go func() {
			s, err := postgres.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(ctx)
		}()
	}
	for i := 0; i < replicas; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("replica migrate: %v", err)
		}
	}
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cur, latest, err := s.SchemaVersion(ctx)
	if err != nil || cur != latest {
		t.Fatalf("SchemaVersion = %d, %d, %v", cur, latest, err)
	}
}

func TestOpenErrorsAreOneLine(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, url, want string
	}{
		{"refused", "postgres://postgres@127.0.0.1:5499/test?sslmode=disable&connect_timeout=5",
			"postgres: cannot reach 127.0.0.1:5499: connection refused"},
		{"bad url", "postgres://postgres:secretpw@127.0.0.1:notaport/test", "postgres: invalid database url: "},
		{"no database", "postgres://postgres@127.0.0.1:5432/cg_no_such_db?sslmode=disable",
			`postgres: cannot connect to 127.0.0.1:5432 as user postgres, database cg_no_such_db: database "cg_no_such_db" does not exist`},
		{"bad option", "postgres://postgres@127.0.0.1/test?sslmode=sometimes", "postgres: invalid database url: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.Open(ctx, tc.url)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "secretpw") {
				t.Fatalf("error = %q, want one line starting %q without the password", msg, tc.want)
			}
		})
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(tb testing.TB) gateway.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(tb))
		if err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestUpgrade(t *testing.T) {
	storetest.RunUpgrade(t, func(t *testing.T) storetest.Migrator {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
