// Command ctlake is a self-hosted CloudTrail Lake.
//
//	ctlake serve [flags]    run the server (the CloudTrail API on 127.0.0.1:4599)
//	ctlake stores|import|imports|import-status|failures|stop-import|query
//	                        the command-line client (ctlake help lists them)
//	ctlake version          print the version
//
// The client subcommands call the CloudTrail API with aws-sdk-go-v2, so they
// work against ctlake and against AWS itself (--endpoint aws).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	if isQueryWorker(os.Args[1:]) { // hidden: the server's query sandbox
		os.Exit(queryWorker())
	}
	os.Exit(report(os.Stderr, run(os.Args[1:])))
}

// usageText lists every subcommand.
func usageText() string {
	var b strings.Builder
	b.WriteString(`ctlake is a self-hosted CloudTrail Lake.

Usage:
  ctlake serve [flags]   run the server (ctlake serve -h for its flags)
  ctlake version         print the version
  ctlake help            show this text

Client commands (each takes -h; they call the CloudTrail API of ctlake, or of AWS):
`)
	for _, cmd := range clientCommands() {
		first, _, _ := strings.Cut(cmd.summary, "\n")
		fmt.Fprintf(&b, "  ctlake %-14s %s\n", cmd.name, first)
	}
	b.WriteString(`
Every client command takes --endpoint URL (default: $CTLAKE_ENDPOINT, else
$AWS_ENDPOINT_URL_CLOUDTRAIL, $AWS_ENDPOINT_URL or the profile's endpoint_url,
else ` + defaultEndpoint + `; "aws" calls AWS itself), --region and --profile, and
reads AWS credentials as the AWS CLI does. With no credentials and a local
endpoint, it signs with the key in ./ctlake-data/credentials.env.

Examples:
  ctlake stores create demo
  ctlake import s3://my-trail-bucket/AWSLogs/ --store demo
  ctlake query "SELECT eventName, count(*) AS n FROM demo GROUP BY eventName ORDER BY n DESC" --store demo
`)
	return b.String()
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usageText())
		return &exitError{code: 2}
	}
	switch args[0] {
	case "serve":
		err := serve(args[1:])
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			return &exitError{code: 2, err: err} // as before the client commands: any serve error is 2
		}
		return err
	case "version", "--version", "-version":
		fmt.Println("ctlake", Version)
		return nil
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if cmd := findClientCommand(args[1]); cmd != nil {
				return runClient(cmd, []string{"-h"})
			}
		}
		fmt.Fprint(os.Stdout, usageText())
		return nil
	}
	if cmd := findClientCommand(args[0]); cmd != nil {
		return runClient(cmd, args[1:])
	}
	fmt.Fprint(os.Stderr, usageText())
	return usageErrorf("unknown command %q", args[0])
}

// serve runs the server until SIGINT or SIGTERM.
func serve(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(args); err != nil {
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
}
