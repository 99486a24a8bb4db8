// Tells the server the browser's time zone (an IANA name such as
// "Europe/Berlin") in the `tz` cookie, so pages show times in it
// (annotator.middleware.TimeZoneMiddleware). A page rendered before the cookie
// existed, or after the zone changed, is shown in the server's zone once; the
// next page uses the new one.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone && /^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) {
  const current = document.cookie.split("; ").find((part) => part.startsWith("tz="));
  if (current !== `tz=${zone}`) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `tz=${zone}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  }
}
