/// The common grok patterns (after Logstash's `logstash-patterns-core`), written with non-capturing groups
/// only, so that the groups of a text pattern are exactly the fields it names; the whole-line access-log
/// patterns (`COMBINEDAPACHELOG`, …) name auditpipe's fields themselves.
enum GrokLibrary {
    /// Pattern name to regex (which may refer to other patterns as `%{NAME}`).
    static let definitions: [String: String] = [
        "USERNAME": #"[a-zA-Z0-9._-]+"#,
        "USER": #"%{USERNAME}"#,
        "EMAILLOCALPART": #"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*"#,
        "EMAILADDRESS": #"%{EMAILLOCALPART}@%{HOSTNAME}"#,
        "INT": #"(?:[+-]?(?:[0-9]+))"#,
        "BASE10NUM": #"(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+)))"#,
        "NUMBER": #"(?:%{BASE10NUM})"#,
        "BASE16NUM": #"(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))"#,
        "POSINT": #"\b(?:[1-9][0-9]*)\b"#,
        "NONNEGINT": #"\b(?:[0-9]+)\b"#,
        "WORD": #"\b\w+\b"#,
        "NOTSPACE": #"\S+"#,
        "SPACE": #"\s*"#,
        "DATA": #".*?"#,
        "GREEDYDATA": #".*"#,
        "QUOTEDSTRING":
            #"(?>(?<!\\)(?>"(?>\\.|[^\\"]+)+"|""|(?>'(?>\\.|[^\\']+)+')|''|(?>`(?>\\.|[^\\`]+)+`)|``))"#,
        "QS": #"%{QUOTEDSTRING}"#,
        "UUID": #"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}"#,
        "IPV4":
            #"(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])"#,
        "IPV6":
            #"(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|::(?:[Ff]{4}(?::0{1,4})?:)?%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|:(?:(?::[0-9A-Fa-f]{1,4}){1,7}|:))(?:%[0-9A-Za-z]+)?"#,
        "IP": #"(?:%{IPV6}|%{IPV4})"#,
        "HOSTNAME": #"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b)"#,
        "IPORHOST": #"(?:%{IP}|%{HOSTNAME})"#,
        "HOSTPORT": #"%{IPORHOST}:%{POSINT}"#,
        "UNIXPATH": #"(?:/(?:[\w_%!$@:.,+~-]+|\\.)*)+"#,
        "WINPATH": #"(?>[A-Za-z]+:|\\)(?:\\[^\\?*]*)+"#,
        "PATH": #"(?:%{UNIXPATH}|%{WINPATH})"#,
        "URIPROTO": #"[A-Za-z](?:[A-Za-z0-9+\-.]+)+"#,
        "URIHOST": #"%{IPORHOST}(?::%{POSINT})?"#,
        "URIPATH": #"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+"#,
        "URIPARAM": #"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*"#,
        "URIPATHPARAM": #"%{URIPATH}(?:%{URIPARAM})?"#,
        "URI": #"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?"#,
        "MONTH":
            #"\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b"#,
        "MONTHNUM": #"(?:0?[1-9]|1[0-2])"#,
        "MONTHDAY": #"(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])"#,
        "DAY": #"(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"#,
        "YEAR": #"(?>\d\d){1,2}"#,
        "HOUR": #"(?:2[0123]|[01]?[0-9])"#,
        "MINUTE": #"(?:[0-5][0-9])"#,
        "SECOND": #"(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)"#,
        "TIME": #"(?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])"#,
        "DATE_US": #"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}"#,
        "DATE_EU": #"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}"#,
        "DATE": #"%{DATE_US}|%{DATE_EU}"#,
        "DATESTAMP": #"%{DATE}[- ]%{TIME}"#,
        "ISO8601_TIMEZONE": #"(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))"#,
        "ISO8601_SECOND": #"%{SECOND}"#,
        "TIMESTAMP_ISO8601":
            #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?"#,
        "TZ": #"(?:[APMCE][SD]T|UTC)"#,
        "SYSLOGTIMESTAMP": #"%{MONTH} +%{MONTHDAY} %{TIME}"#,
        "HTTPDATE": #"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}"#,
        "PROG": #"[\x21-\x5a\x5c\x5e-\x7e]+"#,
        "SYSLOGHOST": #"%{IPORHOST}"#,
        "LOGLEVEL":
            #"(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)"#,
        "JAVACLASS": #"(?:[a-zA-Z$_][a-zA-Z$_0-9]*\.)*[a-zA-Z$_][a-zA-Z$_0-9]*"#,
        "HTTPDUSER": #"(?:%{EMAILADDRESS}|%{USER})"#,
        // Apache/NCSA access logs, as Logstash's `httpd` patterns, with auditpipe's field names: `ip`, `user`,
        // `time`, `method`, `path`, `status` fill the record; `ident`, `http_version`, `rawrequest` (a request
        // line that is not `METHOD target`, Logstash's name), `bytes`, `referrer` are fields; `user_agent` (quotes dropped).
        "HTTPD_COMMONLOG":
            #"%{IPORHOST:ip} (?:-|%{HTTPDUSER:ident}) (?:-|%{HTTPDUSER:user}) \[%{HTTPDATE:time}\] "(?:%{WORD:method} %{NOTSPACE:path}(?: HTTP/%{NUMBER:http_version})?|%{DATA:rawrequest})" (?:-|%{INT:status:int}) (?:-|%{INT:bytes:int})"#,
        "HTTPD_COMBINEDLOG": #"%{HTTPD_COMMONLOG} %{QS:referrer} %{QS:user_agent}"#,
        "COMMONAPACHELOG": #"%{HTTPD_COMMONLOG}"#,
        "COMBINEDAPACHELOG": #"%{HTTPD_COMBINEDLOG}"#,
    ]
}
