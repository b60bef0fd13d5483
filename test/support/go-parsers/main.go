// Command go-parsers answers what Go's own parsers make of values, for the tests: one JSON request
// per line on stdin ({"parser": "url" | "duration" | "traefik-normalize" | "grafana-dashboard", "value": "..."}), one JSON
// answer per line on stdout ({"ok": true, "parsed": "..."} or {"ok": false, "error": "..."}).
// Standard library only: net/url is what Flux and Argo CD parse repository URLs with,
// time.ParseDuration what decodes a Kubernetes metav1.Duration such as a Flux interval.
// traefik-normalize is the one expression of Traefik's provider.Normalize
// (traefik/traefik pkg/provider/configuration.go), which names Middlewares and services, run on
// Go's own unicode tables: Traefik itself cannot run here. Another reader of Go's (encoding/json,
// compress/gzip, ...) is one more case in parse, and its name in GoParser (test/support/go-parsers.ts).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"
)

type request struct {
	Parser string `json:"parser"`
	Value  string `json:"value"`
}

type answer struct {
	OK     bool   `json:"ok"`
	Parsed string `json:"parsed,omitempty"`
	Error  string `json:"error,omitempty"`
}

func parse(r request) answer {
	switch r.Parser {
	case "url":
		u, err := url.Parse(r.Value)
		if err != nil {
			return answer{Error: err.Error()}
		}
		return answer{OK: true, Parsed: fmt.Sprintf("scheme=%s user=%s host=%s port=%s path=%s", u.Scheme, u.User.String(), u.Hostname(), u.Port(), u.Path)}
	case "duration":
		d, err := time.ParseDuration(r.Value)
		if err != nil {
			return answer{Error: err.Error()}
		}
		return answer{OK: true, Parsed: fmt.Sprintf("%d", int64(d))}
	case "traefik-normalize":
		notLetterOrNumber := func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsNumber(c) }
		return answer{OK: true, Parsed: strings.Join(strings.FieldsFunc(r.Value, notLetterOrNumber), "-")}
	case "grafana-dashboard":
		// A GrafanaDashboard as the Grafana Operator reads it (spec.gzipJson is a []byte: base64 in JSON, then
		// gunzipped), and the bytes of kubectl's last-applied annotation (encoding/json's Marshal of the object).
		var d struct {
			Spec struct {
				JSON     string `json:"json"`
				GzipJSON []byte `json:"gzipJson"`
			} `json:"spec"`
		}
		if err := json.Unmarshal([]byte(r.Value), &d); err != nil {
			return answer{Error: err.Error()}
		}
		text := d.Spec.JSON
		if d.Spec.GzipJSON != nil {
			zr, err := gzip.NewReader(bytes.NewReader(d.Spec.GzipJSON))
			if err != nil {
				return answer{Error: err.Error()}
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				return answer{Error: err.Error()}
			}
			text = string(b)
		}
		var object any
		if err := json.Unmarshal([]byte(r.Value), &object); err != nil {
			return answer{Error: err.Error()}
		}
		marshalled, err := json.Marshal(object)
		if err != nil {
			return answer{Error: err.Error()}
		}
		parsed, err := json.Marshal(map[string]any{"json": text, "gzipped": d.Spec.GzipJSON != nil, "marshalledBytes": len(marshalled)})
		if err != nil {
			return answer{Error: err.Error()}
		}
		return answer{OK: true, Parsed: string(parsed)}
	default:
		return answer{Error: "unknown parser " + r.Parser}
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fmt.Fprintln(os.Stderr, "go-parsers: bad request:", err)
			os.Exit(2)
		}
		if err := out.Encode(parse(r)); err != nil {
			fmt.Fprintln(os.Stderr, "go-parsers:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "go-parsers:", err)
		os.Exit(2)
	}
}
