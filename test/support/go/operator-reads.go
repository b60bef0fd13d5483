// How the Grafana Operator (and the API server before it) reads what the library writes, with
// the Go standard library: a metav1.Duration is decoded by time.ParseDuration, spec.gzipJson is a
// []byte (base64 in JSON) that the operator gunzips, and kubectl's last-applied-configuration
// annotation is the object as encoding/json marshals it.
//
// go run operator-reads.go durations    lines of durations -> one JSON result per line
// go run operator-reads.go dashboards   a JSON array of GrafanaDashboards -> one JSON result per object
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

type dashboard struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		JSON     string `json:"json"`
		GzipJSON []byte `json:"gzipJson"`
	} `json:"spec"`
}

func main() {
	out := json.NewEncoder(os.Stdout)
	switch os.Args[1] {
	case "durations":
		scanner := bufio.NewScanner(os.Stdin)
		for scanner.Scan() {
			d, err := time.ParseDuration(scanner.Text())
			if err != nil {
				must(out.Encode(map[string]any{"ok": false}))
			} else {
				must(out.Encode(map[string]any{"ok": true, "ns": fmt.Sprint(int64(d))}))
			}
		}
	case "dashboards":
		input, err := io.ReadAll(os.Stdin)
		must(err)
		var typed []dashboard
		must(json.Unmarshal(input, &typed))
		var untyped []any
		must(json.Unmarshal(input, &untyped))
		for i, d := range typed {
			text := d.Spec.JSON
			if d.Spec.GzipJSON != nil {
				r, err := gzip.NewReader(bytes.NewReader(d.Spec.GzipJSON))
				must(err)
				b, err := io.ReadAll(r)
				must(err)
				text = string(b)
			}
			marshalled, err := json.Marshal(untyped[i])
			must(err)
			must(out.Encode(map[string]any{"name": d.Metadata.Name, "gzipped": d.Spec.GzipJSON != nil, "json": text, "marshalledBytes": len(marshalled)}))
		}
	default:
		panic("unknown mode " + os.Args[1])
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
