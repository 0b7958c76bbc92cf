package payers

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Payer is one payer (or the clearinghouse in front of it) that claimgate exchanges files with.
type Payer struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	Receiver   Receiver `yaml:"receiver" json:"receiver"`
	Usage      string   `yaml:"usage" json:"usage"`             // ISA15: T (test) or P (production)
	ClaimTypes []string `yaml:"claim_types" json:"claim_types"` // professional, institutional; empty = both
	SFTP       SFTP     `yaml:"sftp" json:"-"`
	Submit     string   `yaml:"submit" json:"submit"` // cron expression: when queued claims are batched and sent
	Poll       string   `yaml:"poll" json:"poll"`     // cron expression: when response files are fetched
	Edits      Edits    `yaml:"edits" json:"edits"`
}

// Receiver identifies the payer in the ISA and GS envelopes and in loop 1000B.
type Receiver struct {
	ISAQualifier string `yaml:"isa_qualifier" json:"isa_qualifier"` // ISA07, e.g. ZZ
	ISAID        string `yaml:"isa_id" json:"isa_id"`               // ISA08, up to 15 characters
	GSID         string `yaml:"gs_id" json:"gs_id"`                 // GS03
	Name         string `yaml:"name" json:"name,omitempty"`         // 1000B NM103; default: payer name
	PayerID      string `yaml:"payer_id" json:"payer_id,omitempty"` // 2010BB NM109; default: payer id
}

// SFTP is how claimgate reaches the payer's server. Secrets come from files or the environment,
// never from the configuration file itself.
type SFTP struct {
	Addr              string        `yaml:"addr"`                // host:port
	User              string        `yaml:"user"`                //
	KeyFile           string        `yaml:"key_file"`            // private key (OpenSSH or PEM)
	KeyPassphraseFile string        `yaml:"key_passphrase_file"` // file holding key_file's passphrase, if it is encrypted
	KeyPassphraseEnv  string        `yaml:"key_passphrase_env"`  // environment variable holding key_file's passphrase
	PasswordFile      string        `yaml:"password_file"`       // file holding the password
	PasswordEnv       string        `yaml:"password_env"`        // environment variable holding the password
	KnownHosts        string        `yaml:"known_hosts"`         // known_hosts file pinning the server's host key (required)
	UploadDir         string        `yaml:"upload_dir"`          // where 837 files are put
	DownloadDir       string        `yaml:"download_dir"`        // where 999/277CA/835 files are fetched from
	AfterDownload     string        `yaml:"after_download"`      // delete (default) | move | keep
	MoveDir           string        `yaml:"move_dir"`            // with after_download: move
	Timeout           time.Duration `yaml:"timeout"`             // dial and per-operation timeout; default 30s
	Retries           int           `yaml:"retries"`             // attempts per operation; default 3
	RetryInterval     time.Duration `yaml:"retry_interval"`      // first backoff; default 1s, doubled each retry
}

// Edits are payer-specific intake edits, applied after the generic scrubbing rules.
type Edits struct {
	PriorAuthProcedures []string `yaml:"prior_auth_procedures" json:"prior_auth_procedures,omitempty"` // CPT/HCPCS codes that need claim.prior_authorization
	RequireTaxonomy     bool     `yaml:"require_taxonomy" json:"require_taxonomy,omitempty"`           // billing provider taxonomy required
	RequireRendering    bool     `yaml:"require_rendering_provider" json:"require_rendering_provider,omitempty"`
	MaxLines            int      `yaml:"max_lines" json:"max_lines,omitempty"`                   // lower than the TR3 limit, when the payer says so
	TimelyFilingDays    int      `yaml:"timely_filing_days" json:"timely_filing_days,omitempty"` // reject lines older than this at intake
}

// AcceptsClaimType reports whether the payer takes claims of the given type
// ("professional" or "institutional").
func (p Payer) AcceptsClaimType(t string) bool {
	if len(p.ClaimTypes) == 0 {
		return true
	}
	for _, c := range p.ClaimTypes {
		if c == t {
			return true
		}
	}
	return false
}

// ISAUsage returns ISA15: "P" only when configured so, "T" otherwise.
func (p Payer) ISAUsage() string {
	if p.Usage == "P" {
		return "P"
	}
	return "T"
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)
	x12IDChars = regexp.MustCompile(`^[A-Za-z0-9 ._/-]*$`)
	cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// ParseSchedule parses a cron expression as the configuration accepts it: five fields, an
// optional leading seconds field, or a descriptor such as @every 10s.
func ParseSchedule(expr string) (cron.Schedule, error) {
	return cronParser.Parse(expr)
}

// Validate returns every problem with the payer, each prefixed with its key path
// (e.g. "payers[1].sftp.addr: missing").
func (p Payer) Validate(path string) []error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", path, key, fmt.Sprintf(format, args...)))
	}
	switch {
	case p.ID == "":
		add("id", "missing")
	case !idPattern.MatchString(p.ID):
		add("id", "%q must be 1-32 letters, digits, '.', '_' or '-'", p.ID)
	}
	if p.Name == "" {
		add("name", "missing")
	}
	if p.Receiver.ISAQualifier == "" {
		add("receiver.isa_qualifier", "missing")
	} else if len(p.Receiver.ISAQualifier) != 2 {
		add("receiver.isa_qualifier", "%q must be 2 characters (e.g. ZZ)", p.Receiver.ISAQualifier)
	}
	switch {
	case p.Receiver.ISAID == "":
		add("receiver.isa_id", "missing")
	case len(p.Receiver.ISAID) > 15 || !x12IDChars.MatchString(p.Receiver.ISAID):
		add("receiver.isa_id", "%q must be at most 15 letters or digits", p.Receiver.ISAID)
	}
	switch {
	case p.Receiver.GSID == "":
		add("receiver.gs_id", "missing")
	case len(p.Receiver.GSID) > 15 || !x12IDChars.MatchString(p.Receiver.GSID):
		add("receiver.gs_id", "%q must be 2-15 letters or digits", p.Receiver.GSID)
	}
	if p.Usage != "" && p.Usage != "T" && p.Usage != "P" {
		add("usage", "%q must be T (test) or P (production)", p.Usage)
	}
	for i, t := range p.ClaimTypes {
		if t != "professional" && t != "institutional" {
			add(fmt.Sprintf("claim_types[%d]", i), "%q must be professional or institutional", t)
		}
	}
	for key, expr := range map[string]string{"submit": p.Submit, "poll": p.Poll} {
		if expr == "" {
			add(key, "missing (a cron expression such as \"*/5 * * * *\")")
		} else if _, err := ParseSchedule(expr); err != nil {
			add(key, "%q is not a cron expression: %v", expr, err)
		}
	}
	s := p.SFTP
	if s.Addr == "" {
		add("sftp.addr", "missing")
	} else if !strings.Contains(s.Addr, ":") {
		add("sftp.addr", "%q must be host:port", s.Addr)
	}
	if s.User == "" {
		add("sftp.user", "missing")
	}
	if s.KeyFile == "" && s.PasswordFile == "" && s.PasswordEnv == "" {
		add("sftp", "no credentials: set key_file, password_file or password_env")
	}
	if s.PasswordFile != "" && s.PasswordEnv != "" {
		add("sftp", "set only one of password_file and password_env")
	}
	if s.KeyPassphraseFile != "" && s.KeyPassphraseEnv != "" {
		add("sftp", "set only one of key_passphrase_file and key_passphrase_env")
	}
	if (s.KeyPassphraseFile != "" || s.KeyPassphraseEnv != "") && s.KeyFile == "" {
		add("sftp.key_file", "missing (a key passphrase is set)")
	}
	if s.KnownHosts == "" {
		add("sftp.known_hosts", "missing (the server's host key must be pinned)")
	}
	switch s.AfterDownload {
	case "", "delete", "keep":
	case "move":
		if s.MoveDir == "" {
			add("sftp.move_dir", "missing (after_download is move)")
		}
	default:
		add("sftp.after_download", "%q must be delete, move or keep", s.AfterDownload)
	}
	if s.Timeout < 0 {
		add("sftp.timeout", "must not be negative")
	}
	if s.Retries < 0 {
		add("sftp.retries", "must not be negative")
	}
	if s.RetryInterval < 0 {
		add("sftp.retry_interval", "must not be negative")
	}
	if p.Edits.MaxLines < 0 {
		add("edits.max_lines", "must not be negative")
	}
	return errs
}
