// Replay draws what a file says, and a file can be damaged or hostile: a second whose snapshot
// cannot be drawn is replaced by the fallback (one line saying so, with keys to move on), and the
// next second drawn tries the screen again.
import type React from 'react';
import { Component } from 'react';

interface Props {
  /** A new value (the second shown) clears a failure. */
  resetKey: unknown;
  fallback: (error: string) => React.ReactNode;
  children: React.ReactNode;
}

interface State {
  error: string | null;
  key: unknown;
}

export class DrawGuard extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override render(): React.ReactNode {
    return this.state.error !== null ? this.props.fallback(this.state.error) : this.props.children;
  }
}
