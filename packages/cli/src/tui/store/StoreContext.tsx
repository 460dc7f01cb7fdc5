import { createContext, type Dispatch, type ReactNode, useContext, useReducer } from 'react';
import type { TuiActions } from './actions.js';
import { type Action, reducer } from './reducer.js';
import type { TuiState } from './state.js';

const StateContext = createContext<TuiState | null>(null);
const DispatchContext = createContext<Dispatch<Action> | null>(null);
const ActionsContext = createContext<TuiActions | null>(null);

/** The one store: state from a reducer, the dispatch that feeds it, and the actions that reach the server. */
export function StoreProvider({
  initial,
  actions,
  children,
}: {
  initial: TuiState;
  actions: TuiActions;
  children: ReactNode;
}) {
  const [state, dispatch] = useReducer(reducer, initial);
  return (
    <DispatchContext.Provider value={dispatch}>
      <ActionsContext.Provider value={actions}>
        <StateContext.Provider value={state}>{children}</StateContext.Provider>
      </ActionsContext.Provider>
    </DispatchContext.Provider>
  );
}

function must<T>(value: T | null, name: string): T {
  if (value === null) throw new Error(`${name} used outside <StoreProvider>`);
  return value;
}

export const useTuiState = (): TuiState => must(useContext(StateContext), 'useTuiState');
export const useDispatch = (): Dispatch<Action> => must(useContext(DispatchContext), 'useDispatch');
export const useActions = (): TuiActions => must(useContext(ActionsContext), 'useActions');
