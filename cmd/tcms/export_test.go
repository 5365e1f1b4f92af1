package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func TestExportPermissions(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.URL(t), "TCMS_ADMIN_USERNAME": "root", "TCMS_ADMIN_PASSWORD": "root-pass"}
	ctx := t.Context()
	var out bytes.Buffer
	for _, args := range [][]string{{"migrate"}, {"initial-setup"}, {"create-tenant", "-schema", "acme", "-name", "Acme", "-owner", "root"}} {
		if err := run(ctx, args, &out, env(vars)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	labels := len(store.Catalogue())

	t.Run("OKCSV", func(t *testing.T) {
		out.Reset()
		if err := run(ctx, []string{"export-permissions", "-tenant", "all"}, &out, env(vars)); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// A header, then root's labels at the public address and in acme.
		if strings.Join(rows[0], ",") != "username,email,is_active,is_superuser,permission,source,tenant" || len(rows) != 1+2*labels {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
		if r := rows[1]; strings.Join(r, ",") != "root,,true,true,"+r[4]+",superuser," || rows[len(rows)-1][6] != "acme" {
			t.Fatalf("rows %v ... %v", rows[1], rows[len(rows)-1])
		}
	})
	t.Run("OKJSON", func(t *testing.T) {
		out.Reset()
		if err := run(ctx, []string{"export-permissions", "-tenant", "acme", "-format", "json"}, &out, env(vars)); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != labels || rows[0]["tenant"] != "acme" || rows[0]["username"] != "root" {
			t.Fatalf("%d rows: %v", len(rows), err)
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			msg  string
		}{
			{[]string{"export-permissions", "-format", "xlsx"}, `-format is csv or json, not "xlsx"`},
			{[]string{"export-permissions", "-tenant", "nope"}, `-tenant "nope": Tenant matching query does not exist.`},
		} {
			if err := run(ctx, c.args, &out, env(vars)); err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("%v: %v", c.args, err)
			}
		}
	})
}
