package doctor

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -run %s -update and review the diff.\ngot:\n%s", name, t.Name(), got)
	}
}

func TestGoldenLogReport(t *testing.T) {
	rep := analyze(t, testModel(t), testWAF(t), "testdata/logs/real", "testdata/logs/edge")
	var text, js bytes.Buffer
	if err := rep.WriteText(&text, Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "logs.txt", text.Bytes())
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "logs.json", js.Bytes())
}

func TestGoldenLogReportNoConfig(t *testing.T) {
	rep := analyze(t, nil, nil, "testdata/logs/real", "testdata/logs/edge")
	var text bytes.Buffer
	if err := rep.WriteText(&text, Style{Color: true}); err != nil {
		t.Fatal(err)
	}
	golden(t, "logs-no-config-color.txt", text.Bytes())
}

func TestGoldenConfigReport(t *testing.T) {
	m := testModel(t)
	logs := analyze(t, m, nil, "testdata/logs/variants")
	_ = logs
	rep, err := AnalyzeLogs([]string{"testdata/logs/variants"}, LogOptions{Model: m, CountCountries: true})
	if err != nil {
		t.Fatal(err)
	}
	cr := CheckConfig(m, ConfigOptions{Countries: rep.Countries, LogLines: rep.Summary.Lines})
	var text, js bytes.Buffer
	if err := cr.WriteText(&text, Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "config.txt", text.Bytes())
	if err := cr.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "config.json", js.Bytes())
}
