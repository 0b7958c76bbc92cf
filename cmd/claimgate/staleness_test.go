package main

import (
	"strings"
	"testing"
	"time"
)

func TestStalenessConfig(t *testing.T) {
	for _, tc := range []struct {
		yaml     string
		want999  time.Duration
		want277  time.Duration
		problems []string
	}{
		{yaml: "# defaults\n"},
		{yaml: "staleness: {after_999: 12h, after_277ca: 72h}\n", want999: 12 * time.Hour, want277: 72 * time.Hour},
		{yaml: "staleness: {after_999: -1h, after_277ca: -2h}\n",
			problems: []string{"staleness.after_999: must not be negative", "staleness.after_277ca: must not be negative"}},
		{yaml: "staleness: {after_999: soon}\n", problems: []string{"soon is not a duration"}},
		{yaml: "staleness: {after_835: 1h}\n", problems: []string{`unknown key "after_835"`}},
	} {
		path := writeFile(t, t.TempDir(), "claimgate.yaml", tc.yaml)
		cfg, err := loadConfig(&globalFlags{configPath: path}, mapGetenv(nil))
		if len(tc.problems) == 0 {
			if err != nil {
				t.Errorf("%q: %v", tc.yaml, err)
				continue
			}
			if cfg.Staleness.After999 != tc.want999 || cfg.Staleness.After277CA != tc.want277 {
				t.Errorf("%q: staleness %+v", tc.yaml, cfg.Staleness)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: no error", tc.yaml)
			continue
		}
		for _, p := range tc.problems {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("%q: error %q lacks %q", tc.yaml, err, p)
			}
		}
	}
}
