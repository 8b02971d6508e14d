/**
 * The P1 sound cue: three short 880/660 Hz beeps from a Web Audio oscillator
 * (no audio file to download). The AudioContext is unlocked by the login
 * click (browsers only allow sound after a user gesture).
 * `window.__anxinAudioCues` counts cues played, for the browser tests.
 */
declare global {
  interface Window {
    __anxinAudioCues?: number;
  }
}

let context: AudioContext | null = null;

/** Call from a user gesture (the login or an "enable sound" click). */
export function unlockAudio(): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
  } catch {
    context = null;
  }
}

export function playP1Cue(): void {
  window.__anxinAudioCues = (window.__anxinAudioCues ?? 0) + 1;
  unlockAudio();
  const ctx = context;
  if (ctx === null) return;
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < 3; i++) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = i % 2 === 0 ? 880 : 660;
    const t = start + i * 0.3;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  }
}
