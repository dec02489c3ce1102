// In-app voice for the chat page: the microphone button streams 16 kHz PCM16 to /ws/voice
// (protocol in bot/gateway/voice_socket.py) and plays the spoken replies.
// The chat page exposes window.bankbotChat = {session(): {token, conversationId}, add(cls, text)}.
(() => {
  "use strict";
  const button = document.getElementById("mic-btn");
  const chat = window.bankbotChat;
  if (!button || !chat || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const RATE = 16000;
  let ws = null, ctx = null, stream = null, node = null, source = null;
  let playCtx = null, playAt = 0, replyRate = 22050, playing = [];

  function stopPlayback() {
    for (const s of playing) { try { s.stop(); } catch (e) { /* already ended */ } }
    playing = [];
    playAt = 0;
  }

  function play(buffer) {
    if (!playCtx) playCtx = new AudioContext();
    const samples = new Int16Array(buffer);
    if (!samples.length) return;
    const audio = playCtx.createBuffer(1, samples.length, replyRate);
    const data = audio.getChannelData(0);
    for (let i = 0; i < samples.length; i++) data[i] = samples[i] / 32768;
    const src = playCtx.createBufferSource();
    src.buffer = audio;
    src.connect(playCtx.destination);
    playAt = Math.max(playAt, playCtx.currentTime + 0.05);
    src.start(playAt);
    playAt += audio.duration;
    playing.push(src);
    src.onended = () => {
      playing = playing.filter((s) => s !== src);
      document.body.dataset.replyAudio = "played";  // tests and screen readers can tell
    };
  }

  // Float32 at the context rate → Int16 at 16 kHz (averaging when the context runs faster).
  function toPcm16(input, inRate) {
    const ratio = inRate / RATE, n = Math.floor(input.length / ratio), out = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const start = Math.floor(i * ratio), end = Math.max(start + 1, Math.floor((i + 1) * ratio));
      let sum = 0;
      for (let j = start; j < end; j++) sum += input[j];
      const v = Math.max(-1, Math.min(1, sum / (end - start)));
      out[i] = v < 0 ? v * 32768 : v * 32767;
    }
    return out;
  }

  async function startMic() {
    const { token, conversationId } = chat.session();
    if (!conversationId) { chat.add("note", "Still connecting; try the microphone again in a moment."); return; }
    stream = await navigator.mediaDevices.getUserMedia(
      { audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    try { ctx = new AudioContext({ sampleRate: RATE }); } catch (e) { ctx = new AudioContext(); }
    const proto = location.protocol === "https:" ? "wss" : "ws";
    if (ws) ws.close();  // the previous utterance's socket, kept open for its reply
    const socket = new WebSocket(`${proto}://${location.host}/ws/voice`);
    ws = socket;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => socket.send(JSON.stringify(
      { type: "start", token, conversation_id: conversationId, sample_rate: RATE }));
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") { play(event.data); return; }
      const frame = JSON.parse(event.data);
      if (frame.type === "session") {
        replyRate = frame.reply_audio.sample_rate;
        document.body.dataset.voice = "on";
        source = ctx.createMediaStreamSource(stream);
        node = ctx.createScriptProcessor(4096, 1, 1);
        node.onaudioprocess = (e) => {
          if (socket.readyState === WebSocket.OPEN && ctx)
            socket.send(toPcm16(e.inputBuffer.getChannelData(0), ctx.sampleRate).buffer);
        };
        source.connect(node);
        node.connect(ctx.destination);
      } else if (frame.type === "heard") {
        stopPlayback();
        chat.add("me", frame.text, "🎤");
      } else if (frame.type === "bot") {
        chat.bot(frame);
      } else if (frame.type === "audio") {
        replyRate = frame.sample_rate;
      } else if (frame.type === "audio_stop") {
        stopPlayback();
      } else if (frame.type === "error") {
        chat.add("note", frame.detail);
      }
    };
    socket.onclose = () => { if (ws === socket) stopMic(false); };
    button.classList.add("on");
    button.setAttribute("aria-pressed", "true");
  }

  function stopMic(flush) {
    if (ws && flush && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
    if (node) { node.disconnect(); node = null; }
    if (source) { source.disconnect(); source = null; }
    if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
    if (ctx) { ctx.close(); ctx = null; }
    button.classList.remove("on");
    button.setAttribute("aria-pressed", "false");
    delete document.body.dataset.voice;
  }

  button.disabled = false;
  button.addEventListener("click", () => {
    if (stream) { stopMic(true); return; }
    startMic().catch((e) => { chat.add("note", "Microphone unavailable: " + e.message); stopMic(false); });
  });
})();
