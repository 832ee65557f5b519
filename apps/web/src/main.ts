import './styles.css';
import { App } from './app';

const root = document.getElementById('app');
if (!root) throw new Error('index.html must contain <div id="app">');
new App(root).start();
