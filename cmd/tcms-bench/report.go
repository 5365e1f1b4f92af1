package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
}

func printWrite(out io.Writer, w *WriteResult) {
	fmt.Fprintf(out, "\nwrite scenario over %s-rpc, %d client(s), R=%d: %d calls in %.2f s = %.0f calls/s; %d executions = %.0f/s; %d errors\n",
		w.Proto, w.Clients, w.R, w.Calls, w.Seconds, w.CallsPerSec, w.Executions, w.ExecPerSec, w.Errors)
	if w.FirstError != "" {
		fmt.Fprintf(out, "first error: %s\n", w.FirstError)
	}
	t := table(out)
	fmt.Fprintln(t, "method\tcalls\tmean ms\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, m := range w.Methods {
		fmt.Fprintf(t, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", m.Method, m.Calls, m.MeanMS, m.P50MS, m.P95MS, m.P99MS, m.MaxMS)
	}
	t.Flush()
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
	t := table(out)
	fmt.Fprintln(t, "query\tproto\trecords\tbytes\tmin ms\tmedian ms\t")
	for _, q := range r.Queries {
		fmt.Fprintf(t, "%s\t%s\t%d\t%d\t%.1f\t%.1f\t\n", q.Query, q.Proto, q.Records, q.Bytes, q.MinMS, q.MedianMS)
	}
	t.Flush()
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
