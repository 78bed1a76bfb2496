import { describe, expect, it } from "vitest";
import { mappingToText, textToMapping } from "../../src/features/connections/FieldMapping";
import { formatSpan, formatWaits, parseWaits } from "../../src/features/settings/SettingsView";

describe("the retry schedule as a person writes it", () => {
  it("reads waits in seconds, minutes, hours and days, and writes them back", () => {
    const waits = parseWaits("0, 5s, 5m, 30m, 2h, 5h, 10h, 1d");
    expect(waits).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 86400]);
    expect(formatWaits(waits as number[])).toBe("0, 5s, 5m, 30m, 2h, 5h, 10h, 1d");
    expect(formatWaits([90])).toBe("90s");
    expect(parseWaits("12")).toEqual([12]);
  });

  it("names what it cannot read", () => {
    expect(parseWaits("0, soon")).toBe('"soon" is not a wait like 30s, 5m, 2h or 1d');
    expect(parseWaits("0, -5s")).toMatch(/not a wait/);
  });

  it("says a total span the way a person would", () => {
    expect(formatSpan(45)).toBe("45 s");
    expect(formatSpan(40 * 60)).toBe("40 min");
    expect(formatSpan(99305)).toBe("27.6 h");
    expect(formatSpan(3 * 86400 + 7200)).toBe("3.1 days");
    expect(formatSpan(6 * 3600)).toBe("6 h");
  });
});

describe("a field mapping as lines of text", () => {
  it("reads target = source lines and writes them back", () => {
    const mapping = textToMapping('to.0.email = customer.email\n\ntemplateId = "7"\n');
    expect(mapping).toEqual({ "to.0.email": "customer.email", templateId: '"7"' });
    expect(mappingToText(mapping as Record<string, string>)).toBe('to.0.email = customer.email\ntemplateId = "7"');
    expect(textToMapping("just words")).toBe('"just words" is not "target = source"');
  });
});
