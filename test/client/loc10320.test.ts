// Checks the 10320/LOC helpers against B2HANDLE's behaviour (protocol reference §2.6, §5.2, §5.7–§5.10) and the defects this port fixes on purpose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BrokenLocError,
  LOC_TYPE,
  LocXmlError,
  addLocationUrls,
  exchangeLocationUrl,
  findLocValues,
  isLocEmpty,
  isUrlContainedInLoc,
  nextFreeIndex,
  parseLocations,
  removeLocationUrls,
  serializeLocations,
} from '../../src/loc10320.js';
import type { HandleValue, HandleValueInput } from '../../src/types.js';

const TWO_URLS = '<locations><location id="0" href="http://bar.bar" /><location id="1" href="http://foo.foo" /></locations>';

function stringValue(index: number, type: string, value: string): HandleValue {
  return { index, type, data: { format: 'string', value }, ttl: 86400, timestamp: '2015-09-30T15:54:30Z' };
}

function locValue(index: number, xml: string): HandleValue {
  return stringValue(index, LOC_TYPE, xml);
}

/** The XML text of a value, whichever form its data has. */
function xmlOf(value: HandleValueInput | undefined): unknown {
  assert.ok(value, 'expected a value');
  return typeof value.data === 'string' ? value.data : value.data.value;
}

describe('reading 10320/LOC', () => {
  test('findLocValues matches the type whatever its case and keeps record order', () => {
    const values = [locValue(3, '<locations />'), stringValue(1, 'URL', 'x'), locValue(7, '<locations />')];
    values[2]!.type = '10320/loc';
    assert.deepEqual(
      findLocValues(values).map((value) => value.index),
      [3, 7],
    );
  });

  test('parseLocations returns only the location children of the root with their attributes in document order', () => {
    const xml =
      '<locations chooseby="locatt"><location id="0" href="http://a" weight="1" /><group><location href="http://nested" /></group>' +
      '<location id="x" /><other href="http://other" /></locations>';
    assert.deepEqual(parseLocations(xml), [
      { href: 'http://a', id: '0', attributes: { id: '0', href: 'http://a', weight: '1' } },
      { id: 'x', attributes: { id: 'x' } },
    ]);
  });

  test('parseLocations tolerates single quotes, spacing and an XML declaration', () => {
    const xml = `<?xml version="1.0"?>\n<locations >\n  <location   href = 'http://a?b=1&amp;c=2'\tid='0'/>\n</locations>\n`;
    assert.deepEqual(parseLocations(xml), [{ href: 'http://a?b=1&c=2', id: '0', attributes: { href: 'http://a?b=1&c=2', id: '0' } }]);
  });

  test('parseLocations decodes predefined and numeric character references', () => {
    const [location] = parseLocations('<locations><location href="a&quot;b&lt;&gt;&apos;&#10;&#x41;&amp;#10;" /></locations>');
    assert.equal(location?.href, 'a"b<>\'\nA&#10;');
  });

  test('parseLocations keeps leading and trailing spaces of an href because matching is exact', () => {
    assert.equal(parseLocations('<locations><location href=" http://a " /></locations>')[0]?.href, ' http://a ');
  });

  test('malformed XML raises LocXmlError with the position the validator reports', () => {
    assert.throws(
      () => parseLocations('<locations><location href="x"></locations>'),
      (error: unknown) => error instanceof LocXmlError && error.line === 1 && typeof error.column === 'number' && /Expected closing tag/.test(error.message),
    );
  });

  test('text that is not one locations document raises LocXmlError', () => {
    for (const xml of [
      '',
      '   ',
      'http://not-xml',
      '<locations/><locations/>',
      '<location href="x" />',
      '<locations><location href="a" href="b" /></locations>',
    ]) {
      assert.throws(() => parseLocations(xml), LocXmlError, JSON.stringify(xml));
    }
  });

  test('a broken 10320/LOC value in a record names its handle index in the error', () => {
    const values = [stringValue(1, 'URL', 'x'), locValue(5, '<locations><location>')];
    assert.throws(
      () => isLocEmpty(values),
      (error: unknown) => error instanceof LocXmlError && error.valueIndex === 5 && /index 5/.test(error.message),
    );
    const noString: HandleValue = { index: 6, type: LOC_TYPE, data: { format: 'admin', value: { handle: 'x' } } };
    assert.throws(
      () => isUrlContainedInLoc([noString], 'x'),
      (error: unknown) => error instanceof LocXmlError && error.valueIndex === 6,
    );
  });

  test('isLocEmpty is true without a 10320/LOC value or without any location that has an href', () => {
    assert.equal(isLocEmpty([stringValue(1, 'URL', 'x')]), true);
    assert.equal(isLocEmpty([locValue(2, '<locations />')]), true);
    assert.equal(isLocEmpty([locValue(2, '<locations><location id="0" /></locations>')]), true);
    assert.equal(isLocEmpty([locValue(2, TWO_URLS)]), false);
  });

  test('isLocEmpty and isUrlContainedInLoc read 10320/LOC data given as a bare string', () => {
    const values: HandleValueInput[] = [{ index: 2, type: LOC_TYPE, data: TWO_URLS }];
    assert.equal(isLocEmpty(values), false);
    assert.equal(isUrlContainedInLoc(values, 'http://foo.foo'), true);
  });

  test('isUrlContainedInLoc matches an href exactly, without normalising it', () => {
    const values = [locValue(2, TWO_URLS)];
    assert.equal(isUrlContainedInLoc(values, 'http://bar.bar'), true);
    assert.equal(isUrlContainedInLoc(values, 'http://bar.bar/'), false);
    assert.equal(isUrlContainedInLoc(values, 'HTTP://BAR.BAR'), false);
    assert.equal(isUrlContainedInLoc([stringValue(1, 'URL', 'http://bar.bar')], 'http://bar.bar'), false);
  });
});

describe('writing 10320/LOC', () => {
  test('serializeLocations writes the B2HANDLE form with id before href and a space before the slash', () => {
    assert.equal(
      serializeLocations({ chooseby: 'locatt,weighted' }, [{ id: '0', href: 'http://bar.bar' }]),
      '<locations chooseby="locatt,weighted"><location id="0" href="http://bar.bar" /></locations>',
    );
    assert.equal(serializeLocations({}, []), '<locations />');
  });

  test('serializeLocations escapes ampersands, angle brackets, quotes and newlines so they read back unchanged', () => {
    const href = 'http://a.example/?q=1&r="two"<three>\'four\'\nfive';
    const xml = serializeLocations({}, [{ id: '0', href }]);
    assert.equal(xml, '<locations><location id="0" href="http://a.example/?q=1&amp;r=&quot;two&quot;&lt;three&gt;&apos;four&apos;&#10;five" /></locations>');
    assert.equal(parseLocations(xml)[0]?.href, href);
  });

  test('serializeLocations writes an attribute whose value is "true" with its value', () => {
    assert.equal(serializeLocations({}, [{ primary: 'true' }]), '<locations><location primary="true" /></locations>');
  });

  test('serializeLocations refuses an attribute name that is not an XML name', () => {
    assert.throws(() => serializeLocations({}, [{ 'bad name': 'x' }]), TypeError);
  });
});

describe('adding URLs', () => {
  test('adding two URLs at registration gives the 10320/LOC of the B2HANDLE register_handle fixture', () => {
    // §5.2: HS_ADMIN@100, URL@1, CHECKSUM@2, FOO@3, BAR@4, then 10320/LOC at the next free index.
    const values: HandleValueInput[] = [
      { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { index: '200', handle: '0.NA/my', permissions: '011111110011' } } },
      { index: 1, type: 'URL', data: 'http://foo.bar' },
      { index: 2, type: 'CHECKSUM', data: '123456' },
      { index: 3, type: 'FOO', data: 'foo' },
      { index: 4, type: 'BAR', data: 'bar' },
    ];
    const result = addLocationUrls(values, ['http://bar.bar', 'http://foo.foo']);
    assert.equal(result.changed, true);
    assert.deepEqual(result.values, [...values, { index: 5, type: '10320/LOC', data: TWO_URLS }]);
  });

  test('adding a URL to a record without 10320/LOC matches the B2HANDLE add_additional_URL fixture', () => {
    // §5.7: the URL value is PUT back exactly as GET returned it, ttl and timestamp included.
    const url: HandleValue = stringValue(1, 'URL', 'www.url.foo');
    const result = addLocationUrls([url], ['http://first.foo']);
    assert.deepEqual(result.values, [
      { index: 1, type: 'URL', data: { format: 'string', value: 'www.url.foo' }, ttl: 86400, timestamp: '2015-09-30T15:54:30Z' },
      { index: 2, type: '10320/LOC', data: '<locations><location id="0" href="http://first.foo" /></locations>' },
    ]);
    assert.equal(result.values[0], url, 'untouched values are passed through as they are');
  });

  test('a new 10320/LOC value takes the first free index after 1, skipping 100 to 199', () => {
    const used = [1, 100, ...Array.from({ length: 97 }, (_, i) => i + 2)]; // 1..98 and 100
    const values: HandleValueInput[] = used.map((index) => ({ index, type: `T${index}`, data: 'x' }));
    assert.equal(addLocationUrls(values, ['http://a']).values.at(-1)?.index, 99);
    values.push({ index: 99, type: 'T99', data: 'x' });
    assert.equal(addLocationUrls(values, ['http://a']).values.at(-1)?.index, 200);
  });

  test('chooseBy sets chooseby on a new locations element only', () => {
    const created = addLocationUrls([], ['http://bar.bar'], { chooseBy: 'locatt,weighted' });
    assert.equal(xmlOf(created.values[0]), '<locations chooseby="locatt,weighted"><location id="0" href="http://bar.bar" /></locations>');
    const existing = addLocationUrls([locValue(2, '<locations chooseby="weighted"><location id="0" href="http://a" /></locations>')], ['http://b'], {
      chooseBy: 'locatt',
    });
    assert.equal(
      xmlOf(existing.values[0]),
      '<locations chooseby="weighted"><location id="0" href="http://a" /><location id="1" href="http://b" /></locations>',
    );
  });

  test('new ids fill the smallest gap among the numeric ids', () => {
    const values = [
      locValue(2, '<locations><location id="3" href="http://c" /><location id="0" href="http://a" /><location id="2" href="http://b" /></locations>'),
    ];
    const result = addLocationUrls(values, ['http://d', 'http://e']);
    assert.deepEqual(
      parseLocations(String(xmlOf(result.values[0]))).map((location) => [location.id, location.href]),
      [
        ['3', 'http://c'],
        ['0', 'http://a'],
        ['2', 'http://b'],
        ['1', 'http://d'],
        ['4', 'http://e'],
      ],
    );
  });

  test('ids that are not integers, or missing, do not use up a number', () => {
    const values = [
      locValue(2, '<locations><location id="primary" href="http://a" /><location href="http://b" /><location id="-1" href="http://c" /></locations>'),
    ];
    const result = addLocationUrls(values, ['http://d']);
    assert.equal(parseLocations(String(xmlOf(result.values[0])))[3]?.id, '0');
  });

  test('ids with spaces or a plus sign count as numbers, as Python int() reads them', () => {
    const values = [locValue(2, '<locations><location id=" 0" href="http://a" /><location id="+1" href="http://b" /></locations>')];
    const result = addLocationUrls(values, ['http://c']);
    assert.equal(parseLocations(String(xmlOf(result.values[0])))[2]?.id, '2');
  });

  test('extra attributes are written on new locations after id and href, unlike B2HANDLE which drops them', () => {
    const values = [locValue(2, '<locations><location id="0" href="http://a" /></locations>')];
    const result = addLocationUrls(values, ['http://a', 'http://b'], { attributes: { weight: '0.5', http_role: 'conneg' } });
    assert.equal(
      xmlOf(result.values[0]),
      '<locations><location id="0" href="http://a" /><location id="1" href="http://b" weight="0.5" http_role="conneg" /></locations>',
    );
  });

  test('extra attributes may not replace the id or the href', () => {
    assert.throws(() => addLocationUrls([], ['http://a'], { attributes: { href: 'http://evil' } }), TypeError);
    assert.throws(() => addLocationUrls([], ['http://a'], { attributes: { id: '9' } }), TypeError);
  });

  test('a URL given twice in one call is added once', () => {
    const result = addLocationUrls([], ['http://a', 'http://a']);
    assert.equal(xmlOf(result.values[0]), '<locations><location id="0" href="http://a" /></locations>');
  });

  test('nothing changes when every URL is already contained', () => {
    const values = [locValue(2, TWO_URLS), stringValue(3, 'FOO', 'foo')];
    const result = addLocationUrls(values, ['http://foo.foo', 'http://bar.bar']);
    assert.equal(result.changed, false);
    assert.deepEqual(result.values, values);
    assert.notEqual(result.values, values, 'the caller gets its own array');
    assert.equal(addLocationUrls(values, []).changed, false);
  });

  test('the edited 10320/LOC value moves to the end of the list and its data becomes a bare string', () => {
    const values = [stringValue(1, 'URL', 'http://x'), locValue(2, TWO_URLS), stringValue(3, 'FOO', 'foo')];
    const result = addLocationUrls(values, ['http://baz.baz']);
    assert.deepEqual(
      result.values.map((value) => value.index),
      [1, 3, 2],
    );
    assert.deepEqual(result.values[2], {
      index: 2,
      type: '10320/LOC',
      data: '<locations><location id="0" href="http://bar.bar" /><location id="1" href="http://foo.foo" /><location id="2" href="http://baz.baz" /></locations>',
      ttl: 86400,
      timestamp: '2015-09-30T15:54:30Z',
    });
  });

  test('single-quoted server XML is rewritten with double quotes and B2HANDLE spacing', () => {
    const values = [locValue(2, "<locations chooseby='locatt' >\n  <location href='http://a' id='0'/>\n</locations>")];
    assert.equal(
      xmlOf(addLocationUrls(values, ['http://b']).values[0]),
      '<locations chooseby="locatt"><location href="http://a" id="0" /><location id="1" href="http://b" /></locations>',
    );
  });

  test('an href with an ampersand and a quote survives adding, reading and exchanging', () => {
    const tricky = 'http://a.example/?x=1&y="2"';
    const added = addLocationUrls([], [tricky]).values;
    assert.match(String(xmlOf(added[0])), /href="http:\/\/a\.example\/\?x=1&amp;y=&quot;2&quot;"/);
    assert.equal(isUrlContainedInLoc(added, tricky), true);
    assert.equal(addLocationUrls(added, [tricky]).changed, false);
    const exchanged = exchangeLocationUrl(added, tricky, `${tricky}&z=3`).values;
    assert.equal(isUrlContainedInLoc(exchanged, `${tricky}&z=3`), true);
  });

  test('two 10320/LOC values make adding a new URL fail with BrokenLocError', () => {
    const values = [locValue(2, TWO_URLS), locValue(5, '<locations />')];
    assert.throws(
      () => addLocationUrls(values, ['http://new']),
      (error: unknown) => error instanceof BrokenLocError && error.indexes.join() === '2,5',
    );
  });

  test('two 10320/LOC values do not matter when every URL is already contained, as in B2HANDLE', () => {
    const values = [locValue(2, TWO_URLS), locValue(5, '<locations />')];
    assert.equal(addLocationUrls(values, ['http://bar.bar']).changed, false);
  });

  test('adding leaves the values it was given untouched', () => {
    const values = [stringValue(1, 'URL', 'x'), locValue(2, TWO_URLS)];
    const before = structuredClone(values);
    addLocationUrls(values, ['http://new'], { attributes: { weight: '1' } });
    assert.deepEqual(values, before);
  });
});

describe('removing URLs', () => {
  test('removing a URL drops every location with that href and keeps the object form of data', () => {
    const xml =
      '<locations chooseby="locatt"><location id="0" href="http://a" /><location id="1" href="http://b" /><location id="2" href="http://a" /></locations>';
    const values = [locValue(2, xml), stringValue(3, 'FOO', 'foo')];
    const result = removeLocationUrls(values, ['http://a']);
    assert.equal(result.changed, true);
    assert.deepEqual(result.values, [
      values[1],
      { ...values[0], data: { format: 'string', value: '<locations chooseby="locatt"><location id="1" href="http://b" /></locations>' } },
    ]);
  });

  test('removing the last location drops the whole 10320/LOC value', () => {
    const values = [stringValue(1, 'URL', 'x'), locValue(2, TWO_URLS)];
    const result = removeLocationUrls(values, ['http://bar.bar', 'http://foo.foo']);
    assert.equal(result.changed, true);
    assert.deepEqual(result.values, [values[0]]);
  });

  test('a location without an href keeps the 10320/LOC value alive, as in B2HANDLE', () => {
    const values = [locValue(2, '<locations><location id="0" /><location id="1" href="http://a" /></locations>')];
    assert.equal(xmlOf(removeLocationUrls(values, ['http://a']).values[0]), '<locations><location id="0" /></locations>');
  });

  test('removing a URL that is not there reports no change so the client can skip the PUT B2HANDLE would send', () => {
    const values = [locValue(2, TWO_URLS), stringValue(3, 'FOO', 'foo')];
    const result = removeLocationUrls(values, ['http://elsewhere']);
    assert.equal(result.changed, false);
    assert.deepEqual(result.values, values);
    assert.equal(removeLocationUrls([stringValue(1, 'URL', 'x')], ['http://a']).changed, false);
  });

  test('removing keeps bare-string data a bare string', () => {
    const values: HandleValueInput[] = [{ index: 2, type: LOC_TYPE, data: TWO_URLS }];
    assert.deepEqual(removeLocationUrls(values, ['http://bar.bar']).values, [
      { index: 2, type: LOC_TYPE, data: '<locations><location id="1" href="http://foo.foo" /></locations>' },
    ]);
  });

  test('two 10320/LOC values make removing fail with BrokenLocError', () => {
    assert.throws(() => removeLocationUrls([locValue(2, TWO_URLS), locValue(3, TWO_URLS)], ['http://x']), BrokenLocError);
  });
});

describe('exchanging a URL', () => {
  test('exchanging a URL keeps its id, its other attributes and its place', () => {
    const xml =
      '<locations><location id="0" href="http://a" /><location id="7" href="http://old" weight="0" http_role="conneg" /><location id="1" href="http://b" /></locations>';
    const values = [locValue(2, xml), stringValue(3, 'FOO', 'foo')];
    const result = exchangeLocationUrl(values, 'http://old', 'https://new');
    assert.equal(result.changed, true);
    assert.deepEqual(result.values, [
      values[1],
      {
        ...values[0],
        data: {
          format: 'string',
          value:
            '<locations><location id="0" href="http://a" /><location id="7" href="https://new" weight="0" http_role="conneg" /><location id="1" href="http://b" /></locations>',
        },
      },
    ]);
  });

  test('exchanging replaces every location with the old href', () => {
    const values = [locValue(2, '<locations><location id="0" href="http://old" /><location id="1" href="http://old" /></locations>')];
    assert.deepEqual(
      parseLocations(String(xmlOf(exchangeLocationUrl(values, 'http://old', 'http://new').values[0]))).map((location) => location.href),
      ['http://new', 'http://new'],
    );
  });

  test('exchanging a URL that is not contained, or for itself, changes nothing', () => {
    const values = [locValue(2, TWO_URLS)];
    assert.deepEqual(exchangeLocationUrl(values, 'http://missing', 'http://new'), { values, changed: false });
    assert.deepEqual(exchangeLocationUrl(values, 'http://bar.bar', 'http://bar.bar'), { values, changed: false });
  });

  test('two 10320/LOC values make exchanging a contained URL fail with BrokenLocError', () => {
    assert.throws(() => exchangeLocationUrl([locValue(2, TWO_URLS), locValue(3, '<locations />')], 'http://bar.bar', 'http://x'), BrokenLocError);
  });
});

describe('allocating indexes', () => {
  test('nextFreeIndex starts at 2 and never hands out 1', () => {
    assert.equal(nextFreeIndex([]), 2);
    assert.equal(nextFreeIndex([1, 2, 3]), 4);
    assert.equal(nextFreeIndex([], 1), 2);
    assert.equal(nextFreeIndex([2, 4]), 3);
  });

  test('nextFreeIndex skips 100 to 199, which B2HANDLE keeps for HS_ADMIN', () => {
    const below = Array.from({ length: 98 }, (_, i) => i + 2); // 2..99
    assert.equal(nextFreeIndex(below), 200);
    assert.equal(nextFreeIndex([200, 201], 150), 202);
  });

  test('nextFreeIndex honours a higher start and accepts any iterable', () => {
    assert.equal(nextFreeIndex(new Set([10, 11]), 10), 12);
  });

  test('nextFreeIndex refuses a start that is not an integer', () => {
    assert.throws(() => nextFreeIndex([], 2.5), RangeError);
  });
});
