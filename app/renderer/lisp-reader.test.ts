import { describe, expect, it } from 'vitest';
import { formToAction, LispReadError, readLisp } from './lisp-reader.js';

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

  it('says what is wrong with a bad form', () => {
    expect(() => readLisp('(a "b')).toThrow(LispReadError);
    expect(() => readLisp('(a))')).toThrow('Unexpected text after the form: )');
    expect(() => formToAction(readLisp('(shell-command "rm -rf /")'))).toThrow('Unknown command shell-command');
    expect(() => formToAction(readLisp('(make-network-process :name)'))).toThrow(':name has no value');
    expect(() => formToAction(readLisp('(stop-process 42)'))).toThrow('stop-process takes a process name in quotes');
  });
});

describe('typed commands', async () => {
  const { typedAction } = await import('./components/CommandPalette.js');
  it('acts on a named or the selected process, and opens the form for make-network-process', () => {
    expect(typedAction('stop-process srv', undefined)).toEqual({ kind: 'process', command: 'stop-process', name: 'srv' });
    expect(typedAction('delete-process', { name: 'sel' } as never)).toEqual({ kind: 'process', command: 'delete-process', name: 'sel' });
    expect(typedAction('make-network-process', undefined)).toBe('form');
    expect(() => typedAction('stop-process', undefined)).toThrow('stop-process: which process?');
    expect(() => typedAction('frobnicate', undefined)).toThrow('Unknown command frobnicate');
  });
});
