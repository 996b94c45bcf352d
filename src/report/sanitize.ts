// Text from servers and DNS is hostile. For terminals: strip ANSI escape sequences and control
// characters, and bound the length, so a banner cannot repaint the screen or flood the log.

const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '');
}

export function forTerminal(text: string, maxLength = 500): string {
  const clean = stripControl(text).replace(/\t/g, ' ');
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
