// The chat page's script. Everything that came from the network is shown with textContent,
// never innerHTML, so a message cannot inject markup or script into the page.
'use strict';

const statusView = document.getElementById('status');
const usersView = document.getElementById('users');
const meView = document.getElementById('me');
const messages = document.getElementById('messages');
const composer = document.getElementById('composer');
const input = document.getElementById('text');
const sendButton = document.getElementById('send');

let myName = null;

function setStatus(state, text) {
    statusView.dataset.state = state;
    statusView.textContent = text;
}

function append(className, from, text) {
    const item = document.createElement('li');
    if (className)
        item.className = className;
    if (from !== null) {
        const fromView = document.createElement('span');
        fromView.className = 'from';
        fromView.textContent = from;
        item.append(fromView);
    }
    const textView = document.createElement('span');
    textView.className = 'text';
    textView.textContent = text;
    item.append(textView);
    const follow = messages.parentElement.scrollTop + messages.parentElement.clientHeight
        >= messages.parentElement.scrollHeight - 8;
    messages.append(item);
    if (follow)
        item.scrollIntoView({ block: 'end' });
}

// The WebSocket is on this page's own origin: ws://HOST:PORT/ws, or wss:// behind https.
const socketUrl = new URL('ws', location.href);
socketUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
const requestedName = new URLSearchParams(location.search).get('name');
if (requestedName)
    socketUrl.searchParams.set('name', requestedName);

const socket = new WebSocket(socketUrl);

socket.addEventListener('open', () => {
    setStatus('open', 'connected');
    input.disabled = false;
    sendButton.disabled = false;
    input.focus();
});

socket.addEventListener('message', (event) => {
    let message;
    try {
        message = JSON.parse(event.data);
    } catch {
        return; // not one of ours
    }
    switch (message.type) {
    case 'welcome':
        myName = String(message.name);
        meView.textContent = myName;
        break;
    case 'users': {
        const count = Number(message.count);
        usersView.dataset.count = String(count);
        usersView.textContent = count === 1 ? '1 user online' : `${count} users online`;
        break;
    }
    case 'message':
        append(message.from === myName ? 'mine' : '', String(message.from), String(message.text));
        break;
    }
});

socket.addEventListener('close', (event) => {
    setStatus('closed', 'disconnected — reload to join again');
    input.disabled = true;
    sendButton.disabled = true;
    if (event.code !== 1000 && event.code !== 1001)
        append('notice', null, `connection closed (${event.code}${event.reason ? ': ' + event.reason : ''})`);
});

composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || socket.readyState !== WebSocket.OPEN)
        return;
    socket.send(text);
    input.value = '';
    input.focus();
});
