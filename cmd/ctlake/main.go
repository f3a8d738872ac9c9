// Command ctlake is a self-hosted CloudTrail Lake.
//
//	ctlake serve [flags]    run the server (the CloudTrail API on 127.0.0.1:4599)
//	ctlake version          print the version
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

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ctlake:", err)
		}
		os.Exit(2)
	}
}

const usage = `ctlake is a self-hosted CloudTrail Lake.

Usage:
  ctlake serve [flags]   run the server (ctlake serve -h for its flags)
  ctlake version         print the version
`

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		m := NewMain()
		if err := m.ParseFlags(args[1:]); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		stop() // a second signal now kills the process at once
		m.Logger.Info("shutting down", "signal", context.Cause(ctx))
		return m.Close()
	case "version", "--version", "-version":
		fmt.Println("ctlake", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
