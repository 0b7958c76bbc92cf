// Command claimgate is the one claimgate binary: the daemon (serve), database migrations,
// submitter (API token) administration, the X12 tools and the payer simulator.
//
// Run `claimgate help` for the list of commands and `claimgate COMMAND --help` for each one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes of every command.
const (
	exitOK      = 0 // success
	exitFailure = 1 // the command ran and failed (bad configuration, unreachable database, ...)
	exitUsage   = 2 // the command line itself is wrong (unknown command or flag, missing argument)
)

// command is one entry of the command table: `claimgate NAME ...`.
type command struct {
	synopsis string // arguments after the command name, for the usage line
	summary  string // one line for `claimgate help`
	// run executes the command with the arguments that follow its name. It parses its own flags
	// (see newFlagSet) and returns the process exit code.
	run func(ctx context.Context, e *env, args []string) int
}

// commandTable is the dispatch table of the binary. A new command is one line here plus its
// own file (cmdname.go) holding the run function.
func commandTable() map[string]command {
	return map[string]command{
		"serve":      {synopsis: "[flags]", summary: "run the daemon: HTTP API, metrics and background jobs", run: runServe},
		"migrate":    {synopsis: "[flags]", summary: "apply database migrations and exit", run: runMigrate},
		"submitters": {synopsis: "add|list|revoke [NAME]", summary: "manage submitters and their API tokens", run: runSubmitters},
		"version":    {synopsis: "", summary: "print version, commit and Go version", run: runVersion},
		"edi":        {synopsis: "render|parse|validate [flags] ARGS", summary: "X12 tools: render encounters as 837, parse and validate X12 files", run: runEDI},
		"payer-sim":  {synopsis: "--dir DIR [flags]", summary: "run a simulated payer: SFTP server answering 837s with 999, 277CA and 835", run: runPayerSim},
		// X12 tools (cmd/claimgate/edi.go) and the payer simulator are added here by their issues:
		// "payer-sim": {...},
	}
}

// env is what a command may touch of the outside world. Tests build their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	global *globalFlags
}

// globalFlags are accepted before the command name and, for convenience, after it as well
// (`claimgate --config f serve` and `claimgate serve --config f` are the same).
type globalFlags struct {
	configPath string
	logFormat  string // "" = from configuration
	logLevel   string // "" = from configuration
}

// register adds the global flags to fs, bound to g.
func (g *globalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.configPath, "config", g.configPath,
		"configuration `file` (default: $CLAIMGATE_CONFIG, else ./claimgate.yaml when present)")
	fs.Func("log-format", "log `format`: json or text (default json)", func(s string) error {
		if s != "json" && s != "text" {
			return fmt.Errorf("%q must be json or text", s)
		}
		g.logFormat = s
		return nil
	})
	fs.Func("log-level", "log `level`: debug, info, warn or error (default info)", func(s string) error {
		if _, err := parseLogLevel(s); err != nil {
			return err
		}
		g.logLevel = s
		return nil
	})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a second one kills the
		// process at once instead of waiting for the graceful shutdown.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program minus process concerns (signals, os.Exit); tests call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runEnv(ctx, &env{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}, args)
}

// runEnv parses the global flags, then dispatches to the command.
func runEnv(ctx context.Context, e *env, args []string) int {
	if e.global == nil {
		e.global = &globalFlags{}
	}
	table := commandTable()
	fs := flag.NewFlagSet("claimgate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.global.register(fs)
	usage := func(w io.Writer) { mainUsage(w, fs, table) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(e.stdout)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "claimgate: %v\n\n", err)
		usage(e.stderr)
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(e.stderr, "claimgate: no command given")
		fmt.Fprintln(e.stderr)
		usage(e.stderr)
		return exitUsage
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			if cmd, ok := table[rest[1]]; ok {
				return cmd.run(ctx, e, []string{"--help"})
			}
			fmt.Fprintf(e.stderr, "claimgate: unknown command %q\n\n", rest[1])
			usage(e.stderr)
			return exitUsage
		}
		usage(e.stdout)
		return exitOK
	}
	cmd, ok := table[name]
	if !ok {
		fmt.Fprintf(e.stderr, "claimgate: unknown command %q\n\n", name)
		usage(e.stderr)
		return exitUsage
	}
	return cmd.run(ctx, e, rest[1:])
}

func mainUsage(w io.Writer, global *flag.FlagSet, table map[string]command) {
	fmt.Fprintln(w, "Usage: claimgate [global flags] COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "claimgate is an X12 EDI claims clearinghouse gateway.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(table))
	for name := range table {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %s\n    \t%s\n", strings.TrimSpace(name+" "+table[name].synopsis), table[name].summary)
	}
	fmt.Fprintf(w, "  help [COMMAND]\n    \tthis help, or the help of COMMAND (as COMMAND --help)\n")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global flags (also accepted after the command name):")
	printDefaults(w, global)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `claimgate COMMAND --help` for the flags of a command.")
}

// printDefaults writes fs's flag help to w (the flag package writes to the FlagSet output,
// which we keep discarded so that parse errors are reported our way).
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// cmdFlags is a command's flag set with its usage text.
type cmdFlags struct {
	*flag.FlagSet
	name     string // "serve", "submitters add"
	synopsis string // "[flags] NAME"
	about    string // paragraph printed under the usage line
}

// newFlagSet returns the flag set of command name, with the global flags registered too.
func newFlagSet(e *env, name, synopsis, about string) *cmdFlags {
	fs := flag.NewFlagSet("claimgate "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.global.register(fs)
	return &cmdFlags{FlagSet: fs, name: name, synopsis: synopsis, about: about}
}

func (c *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: claimgate %s %s\n", c.name, c.synopsis)
	if c.about != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.TrimSpace(c.about))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags:")
	printDefaults(w, c.FlagSet)
}

// parse parses args, allowing flags after positional arguments (`submitters add NAME --config f`);
// "--" ends flag parsing. On --help it prints the usage to stdout; on an error it prints the
// error and the usage to stderr. ok is false when the command must return code at once.
func (c *cmdFlags) parse(e *env, args []string) (positional []string, code int, ok bool) {
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.usage(e.stdout)
				return nil, exitOK, false
			}
			return nil, c.fail(e, "%v", err), false
		}
		rest := c.Args()
		// flag.Parse stops before the first non-flag argument, or just after a "--" terminator,
		// in which case everything left is positional.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), exitOK, true
		}
		if len(rest) == 0 {
			return positional, exitOK, true
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// fail reports a usage error: one line naming the problem, then the command's usage.
func (c *cmdFlags) fail(e *env, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "claimgate %s: %s\n\n", c.name, fmt.Sprintf(format, args...))
	c.usage(e.stderr)
	return exitUsage
}
