import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectNetproc } from './web-shim.js';
import './styles.css';

createRoot(document.getElementById('app') as HTMLElement).render(<App api={connectNetproc(window)} />);
