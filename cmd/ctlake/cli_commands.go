package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// clientCommand is a subcommand that calls the CloudTrail API.
type clientCommand struct {
	name    string
	args    string // the positional arguments, for the usage line
	summary string // one line for `ctlake help`
	run     func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error
	// flags registers the subcommand's own flags.
	flags func(fs *flag.FlagSet)
}

// clientCommands lists the client subcommands in the order `ctlake help`
// shows them.
func clientCommands() []*clientCommand {
	return []*clientCommand{
		storesCommand(),
		importCommand(),
		importsCommand(),
		importStatusCommand(),
		failuresCommand(),
		stopImportCommand(),
		queryCommand(),
	}
}

// findClientCommand returns the client subcommand called name, or nil.
func findClientCommand(name string) *clientCommand {
	for _, cmd := range clientCommands() {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// runClient parses args for cmd (flags may come before or after the
// positional arguments, as in the AWS CLI) and runs it; the command checks
// its arguments, then connects (so that a usage mistake is reported as
// such, whatever the credentials). Ctrl-C
// cancels ctx: each command decides what that means (detach, cancel).
func runClient(cmd *clientCommand, args []string) error {
	fs := flag.NewFlagSet("ctlake "+cmd.name, flag.ContinueOnError)
	var cf clientFlags
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ctlake %s %s\n\n%s\n\nFlags:\n", cmd.name, cmd.args, cmd.summary)
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := newCLI()
	c.flags = cf
	return cmd.run(ctx, c, fs, positional)
}

// parseInterspersed parses flags anywhere among args and returns the
// positional arguments in order. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// fs.Parse stops at the first non-flag, or after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *flag.FlagSet, args []string, n int, what string) error {
	if len(args) != n {
		fs.Usage()
		return usageErrorf("%s takes %s", fs.Name(), what)
	}
	return nil
}
