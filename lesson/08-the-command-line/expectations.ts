// Key outputs chapter 8 must show when executed.
export const expectations: RegExp[] = [
  // The credentials the pid command will use.
  /PID_CREDENTIALS = \S+cred_file\.json/,
  // --help of one command.
  /\$ pid create --help\s+Usage: pid create \[options\] <location>[\s\S]*?--extratype[\s\S]*?\[exit code 0\]/,
  // create --json, parsed.
  /\$ pid create http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv --extratype TYPE=file --json\s+\{\s+"handle": "[^"]+\/[0-9a-f-]{36}",[\s\S]*?\[exit code 0\]\s+the new PID: \S+\/[0-9a-f-]{36}/,
  // read: the table, and one value.
  /\$ pid read \S+\s+Handle \S+[\s\S]*?URL\s+http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv[\s\S]*?TYPE\s+file[\s\S]*?HS_ADMIN/,
  /\$ pid read \S+ --key URL\s+http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv\s+\[exit code 0\]/,
  // modify is quiet on stdout; the checksum reads back.
  /\$ pid modify \S+ CHECKSUM [0-9a-f]{32}\s+\[exit code 0\]/,
  /\$ pid read \S+ --key CHECKSUM\s+[0-9a-f]{32}\s+\[exit code 0\]/,
  // search by checksum finds the PID; the iRODS wildcard search counts B2SAFE's PIDs.
  /\$ pid search CHECKSUM [0-9a-f]{32}\s+(\S+\/\S+\s+)+\[exit code 0\]\s+is ours among them\? true/,
  /\$ pid search URL 'irods:\*' \| wc -l\s+[1-9]\d*\s+← PIDs that point to iRODS \(exit code 0\)/,
  // relation writes the child's resolver URL into the parent's 10320/LOC.
  /\$ pid relation \S+ \S+\s+\[exit code 0\]/,
  /\$ pid read \S+ --key 10320\/LOC\s+<locations><location id="0" href="https?:\/\/127\.0\.0\.1:\d+\/[^"]+\/[0-9a-f-]{36}" \/><\/locations>/,
  // resolve: the file's PID leads to the file, the parent to its child.
  /\$ pid resolve \S+\s+302 http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv\s+\[exit code 0\]/,
  /\$ pid resolve \S+\s+302 https?:\/\/127\.0\.0\.1:\d+\/[^/\s]+\/[0-9a-f-]{36}\s+\[exit code 0\]/,
  // delete --key TYPE.
  /\$ pid delete \S+ --key TYPE\s+\[exit code 0\]/,
  // exit codes 1, 2 and 3, each with one stderr line and a hint.
  /\$ pid read \S+\/this-pid-does-not-exist\s+\[stderr\] pid: HandleNotFoundError: \S+ does not exist[^\n]*\(hint: [^\n]+\)\s+\[exit code 1\]/,
  /\$ pid read surveys\.csv\s+\[stderr\] pid: HandleSyntaxError: [^\n]+\s+\[exit code 2\]/,
  /\$ pid --credentials \S+no-such-credentials\.json read \S+\s+\[stderr\] pid: CredentialsFormatError: [^\n]+\s+\[exit code 3\]/,
  // a script branching on the exit code of search.
  /the survey file:\s+already registered, e\.g\. as \S+/,
  /some other bytes:\s+not registered yet: create a PID/,
  // bulk: the input, the summary, every kind of OK line, the ERROR line, exit code 4.
  /\[stderr\] pid bulk: 8 operations, 7 OK, 1 ERROR/,
  /\[stderr\] pid: BulkIncompleteError: 1 of 8 operations failed[^\n]*\s+\[exit code 4\]/,
  /OK CREATE \S+\/[0-9a-f-]{36} http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv/,
  /OK MODIFY \S+ CHECKSUM [0-9a-f]{32}/,
  /OK READ \S+ CHECKSUM [0-9a-f]{32}/,
  /OK SEARCH CHECKSUM [0-9a-f]{32} \["/,
  /OK RELATION \S+ \S+ https?:\/\/127\.0\.0\.1:\d+\//,
  /OK DELETE \S+ TYPE/,
  /OK READ \S+ \[\{"index":1,"type":"URL"/,
  /ERROR 9 MODIFY UsageError: [^\n]+\(hint: [^\n]+\)/,
  /exit code 4: 7 OK, 1 ERROR/,
  // the shell lines for a Jupyter terminal.
  /npx pid read \S+ --key URL/,
  /npx pid bulk --input \S+operations\.txt --result \S+results\.txt; echo "exit code \$\?"/,
];
