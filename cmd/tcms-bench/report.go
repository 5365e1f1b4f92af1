package main

import (
	"fmt"
	"io"
	"strings"
)

// table prints rows aligned: the first column to the left, the numbers to
// the right.
func table(w io.Writer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	for _, r := range rows {
		line := fmt.Sprintf("  %-*s", width[0], r[0])
		for i, c := range r[1:] {
			line += fmt.Sprintf("  %*s", width[i+1], c)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func printWrite(out io.Writer, w *WriteResult) {
	fmt.Fprintf(out, "\nwrite scenario over %s-rpc, %d client(s), R=%d: %d calls in %.2f s = %.0f calls/s; %d executions = %.0f/s; %d errors\n",
		w.Proto, w.Clients, w.R, w.Calls, w.Seconds, w.CallsPerSec, w.Executions, w.ExecPerSec, w.Errors)
	if w.FirstError != "" {
		fmt.Fprintf(out, "first error: %s\n", w.FirstError)
	}
	rows := [][]string{{"method", "calls", "mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms"}}
	for _, m := range w.Methods {
		rows = append(rows, []string{m.Method, fmt.Sprint(m.Calls), f3(m.MeanMS), f3(m.P50MS), f3(m.P95MS), f3(m.P99MS), f3(m.MaxMS)})
	}
	table(out, rows)
	if pg := w.PG; pg != nil {
		fmt.Fprintf(out, "pgbench, %d client(s), %d s each: one-row UPDATE %.0f tps, select-only (prepared) %.0f tps\n",
			pg.Clients, pg.Seconds, pg.UpdateTPS, pg.SelectTPS)
		fmt.Fprintf(out, "  executions/s / UPDATE tps = %.3f; TestExecution.update rate (%d / mean) %.0f/s / UPDATE tps = %.3f; calls/s / select tps = %.3f\n",
			w.ExecPerUpdateTPS, w.Clients, w.UpdateRate, w.UpdateRatePerUpdateTPS, w.CallsPerSelectTPS)
	}
}

func printRead(out io.Writer, r *ReadResult) {
	fmt.Fprintf(out, "\nread scenario: %d cases, %d runs present (%d cases and %d runs seeded %s in %.1f s)\n",
		r.Cases, r.Runs, r.SeededCases, r.SeededRuns, r.Seeding, r.SeedSeconds)
	rows := [][]string{{"query", "proto", "records", "bytes", "min ms", "median ms"}}
	for _, q := range r.Queries {
		rows = append(rows, []string{q.Query, q.Proto, fmt.Sprint(q.Records), fmt.Sprint(q.Bytes), f1(q.MinMS), f1(q.MedianMS)})
	}
	table(out, rows)
}

func printSummary(out io.Writer, res *Results) {
	if r := res.RSS; r != nil {
		fmt.Fprintf(out, "\nserver RSS (pid %d): peak %.1f MiB sampled every %d ms, VmHWM %.1f MiB, %.1f MiB at the end\n",
			r.PID, r.PeakMiB, r.SampleMS, r.HWMMiB, r.EndMiB)
	}
	if res.Profile != "" {
		fmt.Fprintf(out, "CPU profile of the first write run: %s\n", res.Profile)
	}
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

func f3(v float64) string { return fmt.Sprintf("%.3f", v) }
