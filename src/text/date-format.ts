/** Creating an Intl.DateTimeFormat costs far more than using one: formatters are kept by their options. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A shared Intl.DateTimeFormat for `locale` and `options` (at most a few hundred shapes are ever used). */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    if (formatters.size > 1000) formatters.clear();
    formatter = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}
