package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/tcms/tcms/report"
)

const reportUsage = `Usage: tcms report junit [flags] FILE...

Reports JUnit XML results to a tcms server as the Kiwi TCMS junit.xml plugin
does, with the bulk methods (docs/ci.md). The server is --url or TCMS_URL.
Authentication: TCMS_API_TOKEN; or keyless, an OpenID Connect ID token
exchanged for a session: read from the variable --oidc-token-env names, or
fetched on GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN).

Flags:
`

// reportCommand runs `tcms report junit`; progress and the summary go to
// log.
func reportCommand(ctx context.Context, args []string, log io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "junit" {
		fmt.Fprint(log, reportUsage)
		return errors.New(`report: the only format is junit: tcms report junit FILE...`)
	}
	fs := flag.NewFlagSet("tcms report junit", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.Usage = func() { fmt.Fprint(log, reportUsage); fs.PrintDefaults() }
	serverURL := fs.String("url", getenv("TCMS_URL"), "the server, e.g. https://tcms.example.com or https://tcms.example.com/t/acme (TCMS_URL)")
	template := fs.String("summary-template", report.DefaultTemplate, "test case summary from ${classname}, ${name} and ${suitename}")
	tokenEnv := fs.String("oidc-token-env", "", "read the OpenID Connect ID token from this variable (GitLab CI id_tokens and others)")
	audience := fs.String("oidc-audience", "", "the audience to ask GitHub Actions for (default: the origin of --url)")
	failOn := fs.String("fail-on", "", `"negative": exit with an error when an execution failed or errored`)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("report junit: name at least one JUnit XML file")
	}
	if *failOn != "" && *failOn != "negative" {
		return fmt.Errorf(`--fail-on: the only value is "negative", got %q`, *failOn)
	}
	base, err := url.Parse(*serverURL)
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return fmt.Errorf("set --url or TCMS_URL to the server's address, e.g. https://tcms.example.com (got %q)", *serverURL)
	}
	cfg := report.Config{URL: *serverURL, Files: fs.Args(), SummaryTemplate: *template, Log: log,
		Product:    first(getenv, "TCMS_PRODUCT", "TRAVIS_REPO_SLUG", "JOB_NAME"),
		Version:    first(getenv, "TCMS_PRODUCT_VERSION", "TRAVIS_COMMIT", "TRAVIS_PULL_REQUEST_SHA", "GIT_COMMIT"),
		Build:      first(getenv, "TCMS_BUILD", "TRAVIS_BUILD_NUMBER", "BUILD_NUMBER"),
		Prefix:     or(getenv("TCMS_PREFIX"), report.DefaultPrefix),
		ParentPlan: getenv("TCMS_PARENT_PLAN"), Tester: getenv("TCMS_DEFAULT_TESTER_ID")}
	for name, dst := range map[string]*int64{"TCMS_RUN_ID": &cfg.RunID, "TCMS_PLAN_ID": &cfg.PlanID} {
		if v := getenv(name); v != "" {
			if *dst, err = strconv.ParseInt(v, 10, 64); err != nil || *dst <= 0 {
				return fmt.Errorf("%s: want a run or plan id, got %q", name, v)
			}
		}
	}
	if err := credentials(ctx, &cfg, getenv, *tokenEnv, or(*audience, base.Scheme+"://"+base.Host)); err != nil {
		return err
	}
	start := time.Now()
	out, err := report.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("report junit: %w", err)
	}
	fmt.Fprintf(log, "tcms report: run %d: %d executions (%s) in %d calls, %d requests, %.1f s\n", out.RunID,
		out.Executions, report.CountsText(out.Counts), out.Calls, out.Requests, time.Since(start).Seconds())
	if *failOn == "negative" && out.Negative > 0 {
		return fmt.Errorf("report junit: %d executions failed or errored (--fail-on negative)", out.Negative)
	}
	return nil
}

// credentials picks the authentication: the variable --oidc-token-env
// names, else TCMS_API_TOKEN, else the ID token of a GitHub Actions job.
func credentials(ctx context.Context, cfg *report.Config, getenv func(string) string, tokenEnv, audience string) error {
	switch {
	case tokenEnv != "":
		if cfg.IDToken = getenv(tokenEnv); cfg.IDToken == "" {
			return fmt.Errorf("--oidc-token-env: the variable %s is empty", tokenEnv)
		}
	case getenv("TCMS_API_TOKEN") != "":
		cfg.Token = getenv("TCMS_API_TOKEN")
	case getenv("ACTIONS_ID_TOKEN_REQUEST_URL") != "":
		var err error
		cfg.IDToken, err = report.GitHubIDToken(ctx, getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"), audience)
		return err
	default:
		return errors.New("no credentials: set TCMS_API_TOKEN, or --oidc-token-env, or run on GitHub Actions with permissions: id-token: write (docs/ci.md)")
	}
	return nil
}

// first is the value of the first variable that is set.
func first(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}
