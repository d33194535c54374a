import { describe, expect, it } from 'vitest';
import { requestSchemas } from '../shared/contract.js';
import { formToAction, LispReadError, readLisp, typedAction } from './lisp-reader.js';

describe('the palette reader', () => {
  it('reads strings, numbers, t, nil, keywords, quoted symbols and vectors', () => {
    expect(readLisp('(f "a\\"b" 42 -1 t nil :k \'datagram [127 0 0 1 80]) ; comment')).toEqual([
      { symbol: 'f' },
      'a"b',
      42,
      -1,
      true,
      null,
      { keyword: 'k' },
      'datagram',
      { vector: [127, 0, 0, 1, 80] },
    ]);
  });

  it("reads (quote X) as it reads 'X, as the Lisp reader does", () => {
    expect(readLisp('(quote datagram)')).toBe('datagram');
    expect(readLisp('(f (quote datagram) \'datagram (quote (1 2)) \'(1 2) (quote "s"))')).toEqual([
      { symbol: 'f' },
      'datagram',
      'datagram',
      [1, 2],
      [1, 2],
      's',
    ]);
    // Not a quotation: other heads, or quote with no or several arguments, stay lists.
    expect(readLisp('(quote)')).toEqual([{ symbol: 'quote' }]);
    expect(readLisp('(quote a b)')).toEqual([{ symbol: 'quote' }, { symbol: 'a' }, { symbol: 'b' }]);
    expect(readLisp('[quote a]')).toEqual({ vector: [{ symbol: 'quote' }, { symbol: 'a' }] });
    expect(typedAction('make-network-process :name "u" :type (quote datagram) :service 0')).toEqual(
      typedAction('make-network-process :name "u" :type \'datagram :service 0'),
    );
    expect(typedAction('make-network-process :name "u" :type (quote datagram) :service 0')).toMatchObject({
      params: { type: 'datagram' },
    });
  });

  it('turns make-network-process into parameters, keywords camelCased', () => {
    expect(
      formToAction(readLisp('(make-network-process :name "srv" :server t :service 8080 :type \'datagram :tls-parameters nil)')),
    ).toEqual({
      kind: 'request',
      method: 'makeNetworkProcess',
      params: { name: 'srv', server: true, service: 8080, type: 'datagram', tlsParameters: null },
    });
    expect(formToAction(readLisp('(make-network-process :name "c" :remote [127 0 0 1 9])'))).toMatchObject({
      params: { remote: [127, 0, 0, 1, 9] },
    });
  });

  it('reads a keyword :__proto__ as a field of its own, never as the parameters’ prototype, so the contract refuses it', () => {
    const action = formToAction(readLisp('(make-network-process :name "p" :service 1 :__proto__ (:server t))'));
    const params = (action as { params: Record<string, unknown> }).params;
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(params.server).toBeUndefined();
    expect(Object.keys(params)).toContain('__proto__');
    expect(requestSchemas.makeNetworkProcess.safeParse(params).success).toBe(false);
  });

  it('reads open-network-stream and the process commands', () => {
    expect(formToAction(readLisp('(open-network-stream "web" "*web*" "127.0.0.1" 80 :type \'tls)'))).toEqual({
      kind: 'request',
      method: 'openNetworkStream',
      params: { name: 'web', buffer: '*web*', host: '127.0.0.1', service: 80, type: 'tls' },
    });
    expect(formToAction(readLisp('(stop-process "srv")'))).toEqual({ kind: 'process', command: 'stop-process', name: 'srv' });
    expect(formToAction(readLisp('(process-contact "srv" :local)'))).toEqual({
      kind: 'process',
      command: 'process-contact',
      name: 'srv',
      key: ':local',
    });
    expect(formToAction(readLisp('(list-processes)'))).toEqual({ kind: 'list-processes' });
  });

  it('reads open-network-stream with STARTTLS as smtpmail writes it, the lambda becoming a rule', () => {
    const form = `(open-network-stream "smtp" "*smtp*" "localhost" 25 :type 'starttls
       :capability-command "EHLO x\\r\\n" :end-of-command "^[0-9]+ .*\\r\\n" :success "^2.*\\n" :return-list t
       :starttls-function (lambda (capabilities) (and (string-match "[ -]STARTTLS" capabilities) "STARTTLS\\r\\n"))
       :client-certificate '("key.pem" "cert.pem"))`;
    expect(formToAction(readLisp(form))).toEqual({
      kind: 'request',
      method: 'openNetworkStream',
      params: {
        name: 'smtp',
        buffer: '*smtp*',
        host: 'localhost',
        service: 25,
        type: 'starttls',
        capabilityCommand: 'EHLO x\r\n',
        endOfCommand: '^[0-9]+ .*\r\n',
        success: '^2.*\n',
        returnList: true,
        starttlsFunction: { match: '[ -]STARTTLS', command: 'STARTTLS\r\n' },
        clientCertificate: ['key.pem', 'cert.pem'],
      },
    });
    expect(formToAction(readLisp('(open-network-stream "s" (get-buffer-create "*s*") "h" 25 :type \'starttls)'))).toMatchObject({
      params: { buffer: '*s*', createBuffer: true },
    });
    const read = (value: string): unknown =>
      (formToAction(readLisp(`(open-network-stream "s" nil "h" 25 :starttls-function ${value})`)) as { params: Record<string, unknown> })
        .params.starttlsFunction;
    expect(read('"STARTTLS\\r\\n"')).toBe('STARTTLS\r\n');
    expect(read(`'("STLS" "STLS\\r\\n")`)).toEqual({ match: 'STLS', command: 'STLS\r\n' });
    expect(read('(lambda (c) (when (string-match-p "STARTTLS" c) "1 STARTTLS\\r\\n"))')).toEqual({
      match: 'STARTTLS',
      command: '1 STARTTLS\r\n',
    });
    expect(() => read('(lambda (c) (shell-command "rm"))')).toThrow('no other code runs');
  });

  it('reads TLS plists as objects, and the certificate pin commands (beyond Emacs)', () => {
    expect(
      formToAction(
        readLisp(
          '(make-network-process :name "t" :server t :service t :tls-server (:cert "/c.pem" :key "/k.pem" :alpn ("h2" "http/1.1")))',
        ),
      ),
    ).toMatchObject({ params: { tlsServer: { cert: '/c.pem', key: '/k.pem', alpn: ['h2', 'http/1.1'] } } });
    expect(formToAction(readLisp('(make-network-process :name "t" :server t :tls-server \'self-signed)'))).toMatchObject({
      params: { tlsServer: 'self-signed' },
    });
    expect(
      formToAction(readLisp('(make-network-process :name "t" :server t :tls-server (:self-signed t :save-to "/tmp/p.pem"))')),
    ).toMatchObject({
      params: { tlsServer: { selfSigned: true, saveTo: '/tmp/p.pem' } },
    });
    expect(
      formToAction(
        readLisp(
          '(make-network-process :name "c" :service 443 :tls-parameters (:servername "example.test" :alpn ("h2") :fingerprint "AB"))',
        ),
      ),
    ).toMatchObject({ params: { tlsParameters: { servername: 'example.test', alpn: ['h2'], fingerprint: 'AB' } } });
    // Not a TLS keyword: a list stays a list.
    expect(formToAction(readLisp('(make-network-process :name "p" :plist (:a 1))'))).toMatchObject({ params: { plist: [':a', 1] } });
    expect(formToAction(readLisp('(open-network-stream "w" nil "localhost" 443 :type \'tls :alpn ("h2") :servername "x")'))).toMatchObject({
      params: { type: 'tls', alpn: ['h2'], servername: 'x' },
    });
    expect(formToAction(readLisp('(netproc-pin-certificate "localhost" 8443 "AB:CD")'))).toEqual({
      kind: 'pins',
      method: 'pinCertificate',
      params: { host: 'localhost', port: 8443, fingerprint: 'AB:CD' },
    });
    expect(formToAction(readLisp('(netproc-forget-certificate-pin "localhost" 8443)'))).toMatchObject({ method: 'forgetCertificatePin' });
    expect(formToAction(readLisp('(netproc-certificate-pins)'))).toEqual({ kind: 'pins', method: 'listCertificatePins', params: {} });
    expect(() => formToAction(readLisp('(netproc-pin-certificate "localhost")'))).toThrow(
      'netproc-pin-certificate takes HOST PORT FINGERPRINT',
    );
  });

  it('reads nil as false for a yes/no keyword, where the wire would refuse null, and as null elsewhere', () => {
    const make = formToAction(
      readLisp('(make-network-process :name "x" :service 18500 :nowait nil :tls-parameters (:verify nil :ca-file nil))'),
    );
    expect(make).toMatchObject({ params: { nowait: false, tlsParameters: { verify: false, caFile: null } } });
    expect(requestSchemas.makeNetworkProcess.safeParse((make as { params: unknown }).params).success).toBe(true);
    const open = formToAction(
      readLisp('(open-network-stream "ov" nil "127.0.0.1" 18500 :type \'tls :verify nil :nowait nil :return-list nil)'),
    );
    // BUFFER nil stays nil (no buffer); the yes/no keywords are off.
    expect(open).toMatchObject({ params: { buffer: null, type: 'tls', verify: false, nowait: false, returnList: false } });
    expect(requestSchemas.openNetworkStream.safeParse((open as { params: unknown }).params).success).toBe(true);
    // A keyword that takes t or a number is off with nil too; one that takes a value keeps nil as "none".
    expect(formToAction(readLisp('(make-network-process :name "s" :server nil :linger nil :type nil :coding nil)'))).toMatchObject({
      params: { server: false, linger: false, type: null, coding: null },
    });
    expect(
      formToAction(readLisp('(make-network-process :name "s" :server t :tls-server (:self-signed nil :cert "/c" :key "/k"))')),
    ).toMatchObject({
      params: { tlsServer: { selfSigned: false, cert: '/c', key: '/k' } },
    });
    // An unknown keyword is left for the schema to name.
    expect(formToAction(readLisp('(make-network-process :name "s" :bogus nil :constructor nil)'))).toMatchObject({
      params: { bogus: null, constructor: null },
    });
  });

  it('says open-network-stream takes its TLS keywords flat, naming them, when given :tls-parameters', () => {
    expect(() =>
      formToAction(readLisp('(open-network-stream "ov" nil "127.0.0.1" 443 :type \'tls :tls-parameters (:verify nil))')),
    ).toThrow(
      /open-network-stream takes its TLS keywords flat, not in :tls-parameters.*:verify nil :ca-file .*:servername .*:alpn .*:fingerprint/,
    );
    // A value that happens to be the keyword is not the keyword.
    expect(formToAction(readLisp('(open-network-stream "ov" nil "h" 1 :success :tls-parameters)'))).toMatchObject({
      params: { success: ':tls-parameters' },
    });
  });

  it('says what is wrong with a bad form', () => {
    expect(() => readLisp('(a "b')).toThrow(LispReadError);
    expect(() => readLisp('(a))')).toThrow('Unexpected text after the form: )');
    expect(() => formToAction(readLisp('(shell-command "rm -rf /")'))).toThrow('Unknown command shell-command');
    expect(() => formToAction(readLisp('(make-network-process :name)'))).toThrow(':name has no value');
    expect(() => formToAction(readLisp('(stop-process 42)'))).toThrow('stop-process takes a process name in quotes');
  });
});

describe('typed commands', () => {
  it('acts on a named or the selected process, and opens the form for make-network-process', () => {
    expect(typedAction('stop-process srv')).toEqual({ kind: 'process', command: 'stop-process', name: 'srv' });
    expect(typedAction('delete-process', { selected: 'sel' })).toEqual({ kind: 'process', command: 'delete-process', name: 'sel' });
    expect(typedAction('make-network-process')).toBe('form');
    expect(typedAction('netproc-certificate-pins')).toEqual({ kind: 'pins', method: 'listCertificatePins', params: {} });
    expect(typedAction('netproc-forget-certificate-pin localhost 8443')).toEqual({
      kind: 'pins',
      method: 'forgetCertificatePin',
      params: { host: 'localhost', port: 8443 },
    });
    expect(typedAction('netproc-pin-certificate ::1 8443 AB:CD')).toMatchObject({
      params: { host: '::1', port: 8443, fingerprint: 'AB:CD' },
    });
    expect(() => typedAction('stop-process')).toThrow('stop-process: which process?');
    expect(() => typedAction('frobnicate')).toThrow('Unknown command frobnicate');
    expect(() => typedAction('toString')).toThrow('Unknown command toString');
  });

  it('reads the arguments after the name as Lisp, as the same form would be read', () => {
    expect(typedAction('process-contact srv t')).toEqual({ kind: 'process', command: 'process-contact', name: 'srv', key: true });
    expect(typedAction('process-contact srv :local')).toEqual({ kind: 'process', command: 'process-contact', name: 'srv', key: ':local' });
    expect(typedAction('process-contact srv nil')).toEqual({ kind: 'process', command: 'process-contact', name: 'srv', key: null });
    expect(typedAction('process-contact "my srv" t')).toMatchObject({ name: 'my srv', key: true });
    expect(typedAction('set-process-query-on-exit-flag c nil')).toEqual({
      kind: 'process',
      command: 'set-process-query-on-exit-flag',
      name: 'c',
      flag: false,
    });
    expect(typedAction('set-process-query-on-exit-flag c t')).toMatchObject({ flag: true });
    // The same words in parentheses mean the same.
    expect(formToAction(readLisp('(set-process-query-on-exit-flag "c" nil)'))).toEqual(typedAction('set-process-query-on-exit-flag c nil'));
    expect(typedAction('make-network-process :name "s" :server t :service t')).toEqual({
      kind: 'request',
      method: 'makeNetworkProcess',
      params: { name: 's', server: true, service: true },
    });
    expect(() => typedAction('set-process-query-on-exit-flag c')).toThrow('set-process-query-on-exit-flag takes PROCESS FLAG');
    expect(() => typedAction('process-contact srv :local :extra')).toThrow('process-contact takes PROCESS &optional KEY');
    expect(() => typedAction('process-contact srv (')).toThrow(LispReadError);
  });

  it('takes the name of an existing process whole, spaces and all, the longest first', () => {
    const processNames = ['srv', 'srv <127.0.0.1:5555>', 'srv <127.0.0.1:55>'];
    expect(typedAction('stop-process srv <127.0.0.1:5555>', { processNames })).toMatchObject({ name: 'srv <127.0.0.1:5555>' });
    expect(typedAction('process-contact srv <127.0.0.1:55> :remote', { processNames })).toMatchObject({
      name: 'srv <127.0.0.1:55>',
      key: ':remote',
    });
    expect(typedAction('process-contact srv t', { processNames })).toMatchObject({ name: 'srv', key: true });
    // Not a known name: a name with spaces must be quoted.
    expect(() => typedAction('stop-process my proc', { processNames })).toThrow(
      'stop-process takes PROCESS; a name with spaces goes in quotes',
    );
  });
});

describe('workflow forms (beyond Emacs)', () => {
  it('reads auto-reply rules as setAutoReplyRules takes them, and nil as none', () => {
    expect(
      typedAction(
        '(netproc-set-auto-reply "srv" (:framing line :rules ((:match regex :pattern "^HI (\\\\w+)" :reply "hello {{1}}\\\\n" :case-fold t))))',
      ),
    ).toEqual({
      kind: 'workflow',
      method: 'setAutoReplyRules',
      name: 'srv',
      value: { framing: 'line', rules: [{ match: 'regex', pattern: '^HI (\\w+)', reply: 'hello {{1}}\\n', caseFold: true }] },
    });
    expect(typedAction('(netproc-set-auto-reply srv nil)')).toMatchObject({ name: 'srv', value: null });
    expect(() => typedAction('(netproc-set-auto-reply srv (:rules (1 2)))')).toThrow(/list of rule plists/);
    expect(() => typedAction('(netproc-set-auto-reply srv)')).toThrow(/takes PROCESS RULES/);
  });

  it('reads reconnect policies and cancel', () => {
    expect(typedAction('(netproc-set-reconnect c t)')).toEqual({ kind: 'workflow', method: 'setProcessReconnect', name: 'c', value: true });
    expect(typedAction('(netproc-set-reconnect c (:initial-ms 500 :max-attempts 3))')).toMatchObject({
      value: { initialMs: 500, maxAttempts: 3 },
    });
    expect(typedAction('(netproc-cancel-reconnect "c")')).toEqual({ kind: 'workflow', method: 'cancelReconnect', name: 'c' });
    expect(() => typedAction('(netproc-set-reconnect c 5)')).toThrow(/takes t, nil/);
  });

  it('reads per-peer UDP: the make-network-process keyword and the on/off command', () => {
    expect(typedAction('(make-network-process :name "u" :type \'datagram :server t :service t :split-peers t)')).toMatchObject({
      kind: 'request',
      method: 'makeNetworkProcess',
      params: { name: 'u', splitPeers: true },
    });
    expect(typedAction('(netproc-set-split-peers u t)')).toEqual({ kind: 'workflow', method: 'setSplitPeers', name: 'u', value: true });
    expect(typedAction('(netproc-set-split-peers "u" nil)')).toMatchObject({ value: false });
    expect(() => typedAction('(netproc-set-split-peers u)')).toThrow(/takes PROCESS FLAG/);
  });
});
