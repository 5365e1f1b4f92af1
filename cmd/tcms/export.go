package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/tcms/tcms/store"
)

// exportFlags are the flags of export-permissions.
type exportFlags struct {
	Tenant, Format string
}

func (e *exportFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&e.Tenant, "tenant", "", `a tenant's schema: its users' labels there; "all": the public address and every tenant; none: the public address`)
	fs.StringVar(&e.Format, "format", "csv", "csv (with a header row) or json")
}

// exportColumns is the CSV header, the keys of Permission.export.
var exportColumns = []string{"username", "email", "is_active", "is_superuser", "permission", "source", "tenant"}

// exportPermissions is `tcms export-permissions`: Permission.export's rows
// of one place or of every place, on w.
func exportPermissions(ctx context.Context, cfg config, w io.Writer) error {
	e := cfg.Export
	if e.Format != "csv" && e.Format != "json" {
		return fmt.Errorf("export-permissions: -format is csv or json, not %q", e.Format)
	}
	return withStore(ctx, cfg, func(st *store.Store) error {
		places := []string{e.Tenant}
		if e.Tenant == "all" {
			schemas, err := st.TenantSchemas(ctx)
			if err != nil {
				return err
			}
			places = append([]string{""}, schemas...)
		}
		var rows []store.Granted
		for _, schema := range places {
			if schema != "" {
				if _, err := st.TenantFor(ctx, schema, ""); err != nil {
					return fmt.Errorf("export-permissions: -tenant %q: %w", schema, err)
				}
			}
			got, err := st.ExportPermissions(store.WithTenant(ctx, schema), nil)
			if err != nil {
				return err
			}
			rows = append(rows, got...)
		}
		if e.Format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rows)
		}
		out := csv.NewWriter(w)
		out.Write(exportColumns)
		for _, r := range rows {
			out.Write([]string{r.Username, r.Email, strconv.FormatBool(r.IsActive), strconv.FormatBool(r.IsSuperuser), r.Permission, r.Source, r.Tenant})
		}
		out.Flush()
		return out.Error()
	})
}
