// Package catalog loads the product catalog from its YAML file and checks it.
// The file format is documented in testdata/catalog.yaml, the demo catalog.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Parse decodes and validates a catalog. Unknown keys are an error, so a typo
// such as "prise:" stops the start instead of selling at price 0.
func Parse(data []byte) (*shop.Catalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c shop.Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("catalog: empty file")
		}
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Load reads and parses the catalog file at path.
func Load(path string) (*shop.Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
